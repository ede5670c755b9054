// The sync engine's HTTP transport to the API server: raw JSON over one keep-alive agent,
// so objects stay plain data (no typed model conversion) and many requests run at once.
// Credentials and TLS come from a KubeConnection (its applyToHTTPSOptions); the
// credentials are taken again every minute, so a rotated token (a projected service-account
// token file, an exec plugin's short-lived token) is picked up without a restart.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConnection } from './kubeconfig.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiErrorOf, parseSuccess } from './api-error.ts';

/** One finished request to the API server, for metrics. */
export interface KubernetesRequestSample {
  /** GET, PATCH, ...; `PATCH (dry run)` for a dry-run. */
  readonly verb: string;
  /** The resource (plural) and subresource: `deployments`, `environments/status`; '' for discovery. */
  readonly resource: string;
  /** The HTTP status, or 0 when no response came. */
  readonly code: number;
  readonly seconds: number;
  /** The API server's scheme, host and port: which cluster it went to. */
  readonly server: string;
}

const observers = new Set<(sample: KubernetesRequestSample) => void>();

/** Calls `listener` after every request any RestTransport of this process sends; returns the unsubscribe. */
export function onKubernetesRequest(listener: (sample: KubernetesRequestSample) => void): () => void {
  observers.add(listener);
  return () => observers.delete(listener);
}

/** `/apis/apps/v1/namespaces/x/deployments/web/status` → `deployments/status`. */
export function resourceOfPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  let i = parts[0] === 'api' ? 2 : parts[0] === 'apis' ? 3 : parts.length;
  const namespaceSubresource = parts.length === i + 3 && (parts[i + 2] === 'status' || parts[i + 2] === 'finalize');
  if (parts[i] === 'namespaces' && parts.length > i + 2 && !namespaceSubresource) i += 2;
  const resource = parts[i] ?? '';
  const sub = parts[i + 2];
  return sub ? `${resource}/${sub}` : resource;
}

export interface RestRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  /**
   * A write's own fence (a shard's Lease for that object), checked where a guarded view's is:
   * last before the request goes out and again once it has its connection.
   */
  readonly guard?: () => void;
}

export interface RestTransportOptions {
  /** Parallel connections to the API server. */
  readonly maxSockets?: number;
  readonly timeoutMs?: number;
  /** Act as this user (Impersonate-User), e.g. `system:serviceaccount:<namespace>:<name>`. */
  readonly impersonate?: string;
  /** How long credentials are used before they are taken from the kubeconfig again. @default 60 s */
  readonly credentialsTtlMs?: number;
}

/** What came back from one attempt, whatever its status. */
interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly retryAfter?: string;
}

/** How many times a request turned away with 429 is sent in all. */
const TOO_MANY_REQUESTS_ATTEMPTS = 6;

/** The wait before sending again: the server's Retry-After (seconds, at most 10), else 0.5 s doubling; jittered. */
export function retryDelayMs(retryAfter: string | undefined, attempt: number, random = Math.random): number {
  const named = retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Math.min(10, Number(retryAfter)) * 1000 : NaN;
  const base = Number.isNaN(named) ? 500 * 2 ** (attempt - 1) : named;
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class RestTransport {
  readonly #base: URL;
  readonly #options: RequestOptions;
  readonly #timeoutMs: number;
  readonly #kc: KubeConnection;
  readonly #transportOptions: RestTransportOptions;
  #credentialsUntil: number;
  #refreshing: Promise<void> | undefined;
  #requests = 0;
  #closed = false;
  /** A guarded view's: the transport whose connections it uses, and the check before each write. */
  #parent: RestTransport | undefined;
  #guard: (() => void) | undefined;

  private constructor(base: URL, options: RequestOptions, kc: KubeConnection, transportOptions: RestTransportOptions) {
    this.#base = base;
    this.#options = options;
    this.#timeoutMs = transportOptions.timeoutMs ?? 30_000;
    this.#kc = kc;
    this.#transportOptions = transportOptions;
    this.#credentialsUntil = Date.now() + (transportOptions.credentialsTtlMs ?? 60_000);
  }

  static async fromKubeConfig(kc: KubeConnection, options: RestTransportOptions = {}): Promise<RestTransport> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const base = new URL(cluster.server);
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    opts.headers = withImpersonation(opts.headers, options.impersonate);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
    opts.agent =
      base.protocol === 'https:'
        ? new HttpsAgent({
            ...agentOptions,
            ca: opts.ca,
            cert: opts.cert,
            key: opts.key,
            rejectUnauthorized: opts.rejectUnauthorized ?? true,
          })
        : new HttpAgent(agentOptions);
    return new RestTransport(base, opts, kc, options);
  }

  /** Takes the credentials from the kubeconfig again once they are older than their time to live. */
  async #freshCredentials(): Promise<void> {
    if (Date.now() < this.#credentialsUntil) return;
    this.#refreshing ??= credentialHeaders(this.#kc, this.#transportOptions.impersonate)
      .then((headers) => {
        this.#options.headers = headers;
        this.#credentialsUntil = Date.now() + (this.#transportOptions.credentialsTtlMs ?? 60_000);
      })
      .finally(() => (this.#refreshing = undefined));
    await this.#refreshing;
  }

  /**
   * This transport's connections with `check` run before every request but a GET: a write it
   * throws for is never sent (a replica fenced out of a shard, ADR 0023). close() on the view
   * closes the view only.
   */
  guarded(check: () => void): RestTransport {
    const view = new RestTransport(this.#base, this.#options, this.#kc, this.#transportOptions);
    view.#parent = this;
    view.#guard = check;
    return view;
  }

  /** How many requests this transport sent (for tests and benchmarks). */
  get requestCount(): number {
    return this.#requests;
  }

  async request<T>(req: RestRequest): Promise<T> {
    const { answer, path } = await this.#exchange(req);
    return parseSuccess<T>(answer, req.method, path);
  }

  /** The body of a GET as text, whatever its type (a container's log): sent again and refused as request() is. */
  async text(path: string, query?: Readonly<Record<string, string | undefined>>): Promise<string> {
    return (await this.#exchange({ method: 'GET', path, query })).answer.text;
  }

  /**
   * A GET whose answer streams (a watch): the response once its status is 2xx, else the
   * KubeApiError of the answer. No time limit: `signal` ends it. Not counted in requestCount.
   */
  async stream(path: string, query: Readonly<Record<string, string | undefined>>, signal: AbortSignal) {
    if (this.#closed) throw new TransportClosedError('GET', path);
    await this.#freshCredentials();
    const url = this.#urlOf(path, query);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = { ...(this.#options.headers as Record<string, string> | undefined), accept: 'application/json' };
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = send(url, { ...this.#options, method: 'GET', headers, signal }, resolve);
      r.on('error', reject);
      r.end();
    });
    const code = res.statusCode ?? 0;
    if (code >= 200 && code < 300) return res;
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    throw apiErrorOf(
      { status: code, contentType: String(res.headers['content-type'] ?? ''), text },
      'GET',
      url.pathname,
    );
  }

  /** `path` on this transport's API server, with the query's defined parameters. */
  #urlOf(path: string, query: Readonly<Record<string, string | undefined>> = {}): URL {
    const url = new URL(path, this.#base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  /** The 2xx answer to `req` (a 429 sent again), or the KubeApiError of the last one. */
  async #exchange(req: RestRequest): Promise<{ answer: Answer; path: string }> {
    const url = this.#urlOf(req.path, req.query);
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    for (let attempt = 1; ; attempt++) {
      if (this.#closed || (this.#parent !== undefined && this.#parent.#closed))
        throw new TransportClosedError(req.method, req.path);
      await this.#freshCredentials();
      // Checked last before the request goes out: nothing awaited between the check and the send.
      if (req.method !== 'GET') this.#checks(req)();
      const answer = await this.#send(req, url, payload);
      // 429: the API server's priority and fairness turned it away before handling it, so any
      // verb may be sent again, after the Retry-After it names (as client-go does).
      if (answer.status === 429 && attempt < TOO_MANY_REQUESTS_ATTEMPTS) {
        await sleep(retryDelayMs(answer.retryAfter, attempt));
        continue;
      }
      // Whatever the content type: a Status, the mux's text/plain 404, a proxy's HTML page.
      if (answer.status < 200 || answer.status >= 300) throw apiErrorOf(answer, req.method, url.pathname);
      return { answer, path: url.pathname };
    }
  }

  /** The view's guard and the request's own, in one. */
  #checks(req: RestRequest): () => void {
    return () => {
      this.#guard?.();
      req.guard?.();
    };
  }

  /** One attempt: the answer whatever its status, or a rejection when none came. */
  #send(req: RestRequest, url: URL, payload: Buffer | undefined): Promise<Answer> {
    const headers: Record<string, string> = {
      ...(this.#options.headers as Record<string, string> | undefined),
      accept: 'application/json',
    };
    if (payload) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    this.#requests++;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const started = performance.now();
    let code = 0;
    const observe = () => {
      if (observers.size === 0) return;
      const sample = {
        verb: req.query?.dryRun ? `${req.method} (dry run)` : req.method,
        resource: resourceOfPath(url.pathname),
        code,
        seconds: (performance.now() - started) / 1000,
        server: this.#base.origin,
      };
      for (const o of observers) o(sample);
    };
    return new Promise<Answer>((resolve, reject) => {
      const r = send(url, { ...this.#options, method: req.method, headers, timeout: this.#timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          code = res.statusCode ?? 0;
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: code,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
            retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
          });
        });
        res.on('error', reject);
      });
      r.on('timeout', () =>
        r.destroy(
          Object.assign(new Error(`${req.method} ${url.pathname} timed out after ${this.#timeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        ),
      );
      r.on('error', reject);
      const guard = req.method === 'GET' || (!this.#guard && !req.guard) ? undefined : this.#checks(req);
      if (!guard) r.end(payload);
      // Checked again once the request has its connection: a new one connects outside this
      // code (a replica paused meanwhile would send a write its fence no longer allows).
      else
        r.once('socket', (socket) => {
          const go = () => {
            try {
              guard();
              r.end(payload);
            } catch (err) {
              r.destroy(err as Error);
            }
          };
          if (!socket.connecting) go();
          else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', go);
        });
    }).finally(() => observe());
  }

  /** Every item of a collection, 500 at a time. */
  async list<T>(path: string, query: Readonly<Record<string, string | undefined>> = {}): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.request<{ items: T[]; metadata?: { continue?: string } }>({
        method: 'GET',
        path,
        query: { ...query, limit: '500', continue: token },
      });
      items.push(...page.items);
      token = page.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  /**
   * Closes the connections, in use or idle, for good: requests in flight fail, and so does
   * every later one, so work a stopping operator abandoned cannot write after it let go.
   */
  close(): void {
    this.#closed = true;
    if (!this.#parent) (this.#options.agent as HttpAgent | undefined)?.destroy();
  }
}

export class TransportClosedError extends Error {
  constructor(method: string, path: string) {
    super(`${method} ${path}: the connection to the API server was closed (the operator is stopping)`);
    this.name = 'TransportClosedError';
  }
}

/**
 * A RestTransport made on first use, for owners built without await (KeelsonResources, the
 * event recorder, the status writer): one keep-alive pool, and close() when done.
 */
export class LazyRestTransport {
  readonly #kc: KubeConnection;
  readonly #options: RestTransportOptions;
  #transport: Promise<RestTransport> | undefined;
  #closed = false;

  constructor(kc: KubeConnection, options: RestTransportOptions = {}) {
    this.#kc = kc;
    this.#options = options;
  }

  async request<T>(req: RestRequest): Promise<T> {
    return (await this.#get()).request<T>(req);
  }

  async list<T>(path: string, query?: Readonly<Record<string, string | undefined>>): Promise<T[]> {
    return (await this.#get()).list<T>(path, query);
  }

  async text(path: string, query?: Readonly<Record<string, string | undefined>>): Promise<string> {
    return (await this.#get()).text(path, query);
  }

  /** For good, as RestTransport.close(). */
  close(): void {
    this.#closed = true;
    void this.#transport?.then(
      (t) => t.close(),
      () => undefined,
    );
  }

  #get(): Promise<RestTransport> {
    if (this.#closed) return Promise.reject(new TransportClosedError('request', 'to the API server'));
    this.#transport ??= RestTransport.fromKubeConfig(this.#kc, this.#options);
    return this.#transport;
  }
}

/** The request headers the kubeconfig's user authenticates with (a bearer token, ...). */
async function credentialHeaders(kc: KubeConnection, impersonate: string | undefined): Promise<Record<string, string>> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return withImpersonation(opts.headers, impersonate);
}

function withImpersonation(
  headers: RequestOptions['headers'],
  impersonate: string | undefined,
): Record<string, string> {
  return {
    ...(headers as Record<string, string> | undefined),
    ...(impersonate ? { 'Impersonate-User': impersonate } : {}),
  };
}
