// A watch that heals itself (after client-node's informer and pepr's notes on missed
// events): list, then watch from the list's resourceVersion; a 410 Gone (or any ERROR
// event) relists and reports what was deleted meanwhile; a dropped connection reconnects
// with a capped exponential backoff. Handlers get every object at least once after each
// relist, so a periodic requeue on top of it cannot strand an object.
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeApiError } from './api-error.ts';
import { collectionPath, type ResourcePath } from './client.ts';
import type { KubeConnection } from './kubeconfig.ts';
import { RestTransport } from './rest-transport.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchedObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string };
}

export interface ResourceWatchOptions {
  readonly resource: ResourcePath;
  /** Only this namespace; all namespaces when undefined. */
  readonly namespace?: string;
  /** Only objects with these labels (a Kubernetes label selector). */
  readonly labelSelector?: string;
  readonly onEvent: (type: WatchEventType, object: WatchedObject) => void;
  /**
   * What is kept of each object (and handed to onEvent): the cache holds thousands, so a
   * watch drops what its readers never look at (client-go's informer transform). @default all of it
   */
  readonly transform?: (object: WatchedObject) => WatchedObject;
  /** @default 250 ms */
  readonly minBackoffMs?: number;
  /** @default 30 s */
  readonly maxBackoffMs?: number;
  readonly onError?: (err: unknown) => void;
  /** How long start() retries the first list. @default 30 s */
  readonly startTimeoutMs?: number;
  /**
   * How long the server keeps one watch open before it is renewed, at least: each connection
   * asks for between this and twice this, so watches started together do not all reconnect
   * in the same second. @default 300
   */
  readonly watchTimeoutSeconds?: number;
  /**
   * A connection that brings nothing for this long is taken for dead and renewed. The API
   * server sends a bookmark about every minute (allowWatchBookmarks), so a quiet watch is not
   * a dead one (client-node's default, 30 s, renewed every quiet watch twice a minute).
   * @default 150 s
   */
  readonly inactivityTimeoutMs?: number;
}

export class ResourceWatch {
  readonly #kc: KubeConnection;
  readonly #options: ResourceWatchOptions;
  readonly #known = new Map<string, WatchedObject>();
  #rest: RestTransport | undefined;
  #abort: AbortController | undefined;
  #stopped = false;
  /** Ends a backoff wait at once when the watch stops. */
  readonly #stopping = new AbortController();
  /** Settles 'closed' once stop() is called: what a connection in progress races against. */
  readonly #whenStopped = new Promise<'closed'>((resolve) =>
    this.#stopping.signal.addEventListener('abort', () => resolve('closed'), { once: true }),
  );
  #loop: Promise<void> | undefined;
  /** How many times the watch listed from scratch, and connected (for tests). */
  relists = 0;
  connects = 0;

  constructor(kc: KubeConnection, options: ResourceWatchOptions) {
    this.#kc = kc;
    this.#options = options;
  }

  /**
   * Lists once (every object is reported ADDED), then keeps watching in the background.
   * The first list is retried with backoff for up to `startTimeoutMs` (an API server that
   * just installed a CRD answers 429 "storage is (re)initializing" for a moment).
   */
  async start(): Promise<void> {
    this.#rest = await RestTransport.fromKubeConfig(this.#kc, { maxSockets: 2 });
    if (this.#stopped) {
      // stop() came first: it does not wait for a start, so nothing may start now.
      this.#rest.close();
      throw new Error('the watch was stopped before it started');
    }
    const deadline = Date.now() + (this.#options.startTimeoutMs ?? 30_000);
    let failures = 0;
    let version: string;
    for (;;) {
      try {
        version = await this.#relist();
        break;
      } catch (err) {
        if (Date.now() >= deadline || this.#stopped) throw err;
        this.#options.onError?.(err);
        await this.#backoff(
          Math.min(this.#options.maxBackoffMs ?? 30_000, (this.#options.minBackoffMs ?? 250) * 2 ** failures++),
        );
      }
    }
    this.#loop = this.#run(version);
  }

  /** Every object the watch holds now (a read of the local cache, no request). */
  objects(): WatchedObject[] {
    return [...this.#known.values()];
  }

  /** The object as the watch last saw it (a read of the local cache, no request). */
  get(namespace: string, name: string): WatchedObject | undefined {
    return this.#known.get(`${namespace}/${name}`);
  }

  /**
   * Ends the watch at once, even while it waits for an API server that does not answer (a
   * connection or a relist in progress is left to fail in the background), and while
   * start() is still listing (start() then throws).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    this.#abort?.abort();
    this.#rest?.close();
    await this.#loop;
  }

  /** Waits `ms`, or less when the watch stops meanwhile. */
  async #backoff(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
  }

  async #relist(): Promise<string> {
    this.relists++;
    const list = await this.#rest!.request<{ metadata?: { resourceVersion?: string }; items: WatchedObject[] }>({
      method: 'GET',
      path: collectionPath(this.#options.resource, this.#options.namespace),
      query: { labelSelector: this.#options.labelSelector },
    });
    const seen = new Set<string>();
    for (const listed of list.items) {
      const item = this.#options.transform?.(listed) ?? listed;
      const key = keyOf(item);
      seen.add(key);
      const previous = this.#known.get(key);
      this.#known.set(key, item);
      if (previous?.metadata?.resourceVersion !== item.metadata?.resourceVersion || !previous) {
        this.#options.onEvent(previous ? 'MODIFIED' : 'ADDED', item);
      }
    }
    for (const [key, item] of this.#known) {
      if (!seen.has(key)) {
        this.#known.delete(key);
        this.#options.onEvent('DELETED', item);
      }
    }
    return list.metadata?.resourceVersion ?? '';
  }

  async #run(initialVersion: string): Promise<void> {
    let version = initialVersion;
    let failures = 0;
    const min = this.#options.minBackoffMs ?? 250;
    const max = this.#options.maxBackoffMs ?? 30_000;
    while (!this.#stopped) {
      try {
        const ended = await this.#watchOnce(version, (rv) => (version = rv));
        if (ended === 'gone') version = await this.#relist();
        failures = 0;
      } catch (err) {
        if (this.#stopped) break;
        this.#options.onError?.(err);
        await this.#backoff(Math.min(max, min * 2 ** failures++));
        if (this.#stopped) break;
        try {
          version = await this.#relist();
        } catch (relistErr) {
          this.#options.onError?.(relistErr);
        }
      }
    }
  }

  /** One watch connection; resolves 'closed' when the server ends it, 'gone' on 410 / ERROR. */
  async #watchOnce(version: string, advance: (rv: string) => void): Promise<'closed' | 'gone'> {
    this.connects++;
    const abort = new AbortController();
    this.#abort = abort;
    if (this.#stopped) abort.abort();
    const query = {
      watch: '1',
      resourceVersion: version,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(Math.round((this.#options.watchTimeoutSeconds ?? 300) * (1 + Math.random()))),
      labelSelector: this.#options.labelSelector,
    };
    const path = collectionPath(this.#options.resource, this.#options.namespace);
    // A connection that brings nothing, not even the minute's bookmark, is taken for dead.
    const idleMs = this.#options.inactivityTimeoutMs ?? 150_000;
    let idle = false;
    const timer = setTimeout(() => ((idle = true), abort.abort()), idleMs);
    try {
      const connection = this.#rest!.stream(path, query, abort.signal);
      const res = await Promise.race([connection, this.#whenStopped]);
      if (res === 'closed') {
        abort.abort();
        return 'closed';
      }
      res.setEncoding('utf8'); // a character split between two chunks stays whole
      let pending = '';
      for await (const chunk of res) {
        timer.refresh();
        pending += chunk as string;
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.trim() && this.#onLine(line, advance) === 'gone') {
            abort.abort();
            return 'gone';
          }
        }
      }
      return 'closed';
    } catch (err) {
      // Our own abort (a stop, or an idle connection renewed) ends the connection, not the watch.
      if (this.#stopped || idle || abort.signal.aborted) return 'closed';
      if (err instanceof KubeApiError && err.status === 410) return 'gone';
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One event of the stream; 'gone' for an ERROR (a 410 Gone: the version is too old). */
  #onLine(line: string, advance: (rv: string) => void): 'gone' | undefined {
    const event = JSON.parse(line) as { type: string; object: WatchedObject };
    if (event.type === 'ERROR') return 'gone';
    const rv = event.object.metadata?.resourceVersion;
    if (rv) advance(rv);
    if (event.type === 'BOOKMARK') return undefined;
    const obj = this.#options.transform?.(event.object) ?? event.object;
    const key = keyOf(obj);
    if (event.type === 'DELETED') this.#known.delete(key);
    else this.#known.set(key, obj);
    this.#options.onEvent(event.type as WatchEventType, obj);
    return undefined;
  }
}

function keyOf(obj: WatchedObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
