// What differs between the environments of the shop. Everything else is the same code.

/** The chart repository the status page's chart comes from (`make up` serves it). */
export const CHART_REPOSITORY = 'http://127.0.0.1:8879';

export interface ShopSettings {
  /** Replicas of the API, the worker, the web front end and the status page. */
  readonly replicas: { readonly api: number; readonly worker: number; readonly web: number; readonly status: number };
  /** The Redis cache (the repository's own chart, charts/cache). */
  readonly cache: { readonly replicas: number; readonly maxMemory: string };
  /** The host name the Ingress serves the front end on. */
  readonly host: string;
  /** LOG_LEVEL of every container. */
  readonly logLevel: 'debug' | 'info';
  /** The pass store directory of this environment's entries: `<dir>/db`, `<dir>/db-admin`. */
  readonly passDir: string;
}

export const dev: ShopSettings = {
  replicas: { api: 1, worker: 1, web: 1, status: 1 },
  cache: { replicas: 1, maxMemory: '64mb' },
  host: 'shop.dev.example.com',
  logLevel: 'debug',
  passDir: 'dev',
};

export const prod: ShopSettings = {
  replicas: { api: 3, worker: 2, web: 2, status: 2 },
  cache: { replicas: 2, maxMemory: '512mb' },
  host: 'shop.example.com',
  logLevel: 'info',
  passDir: 'prod',
};
