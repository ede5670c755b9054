// What differs between the environments of the shop. Everything else is the same code.

export interface ShopSettings {
  /** Replicas of the API, the worker and the web front end. */
  readonly replicas: { readonly api: number; readonly worker: number; readonly web: number };
  /** The host name the Ingress serves the front end on. */
  readonly host: string;
  /** LOG_LEVEL of every container. */
  readonly logLevel: 'debug' | 'info';
  /** The pass store directory of this environment's entries: `<dir>/db`, `<dir>/db-admin`. */
  readonly passDir: string;
}

export const dev: ShopSettings = {
  replicas: { api: 1, worker: 1, web: 1 },
  host: 'shop.dev.example.com',
  logLevel: 'debug',
  passDir: 'dev',
};

export const prod: ShopSettings = {
  replicas: { api: 3, worker: 2, web: 2 },
  host: 'shop.example.com',
  logLevel: 'info',
  passDir: 'prod',
};
