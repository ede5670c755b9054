// A watch that heals itself (after client-node's informer and pepr's notes on missed
// events): list, then watch from the list's resourceVersion; a 410 Gone (or any ERROR
// event) relists and reports what was deleted meanwhile; a dropped connection reconnects
// with a capped exponential backoff. Handlers get every object at least once after each
// relist, so a periodic requeue on top of it cannot strand an object.
import * as k8s from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectionPath, type ResourcePath } from './client.ts';
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
   * a dead one; client-node's own default, 30 s, renewed every quiet watch twice a minute.
   * @default 150 s
   */
  readonly inactivityTimeoutMs?: number;
}

export class ResourceWatch {
  readonly #kc: k8s.KubeConfig;
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

  constructor(kc: k8s.KubeConfig, options: ResourceWatchOptions) {
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
  #watchOnce(version: string, advance: (rv: string) => void): Promise<'closed' | 'gone'> {
    this.connects++;
    // client-node hands out the connection's AbortController only once the server answers;
    // a stop while it connects ends this wait, and the connection is aborted when it comes.
    const connection = new Promise<'closed' | 'gone'>((resolve, reject) => {
      let gone = false;
      const watch = new k8s.Watch(this.#kc);
      // client-node keeps this field private; resource-watch.test.ts (a quiet watch) fails if it stops working.
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
        this.#options.inactivityTimeoutMs ?? 150_000;
      const path = collectionPath(this.#options.resource, this.#options.namespace);
      const params = {
        resourceVersion: version,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.round((this.#options.watchTimeoutSeconds ?? 300) * (1 + Math.random())),
        ...(this.#options.labelSelector ? { labelSelector: this.#options.labelSelector } : {}),
      };
      watch
        .watch(
          path,
          params,
          (phase, received: WatchedObject) => {
            if (phase === 'ERROR') {
              gone = true;
              this.#abort?.abort();
              return;
            }
            const rv = received.metadata?.resourceVersion;
            if (rv) advance(rv);
            if (phase === 'BOOKMARK') return;
            const obj = this.#options.transform?.(received) ?? received;
            const key = keyOf(obj);
            if (phase === 'DELETED') this.#known.delete(key);
            else this.#known.set(key, obj);
            this.#options.onEvent(phase as WatchEventType, obj);
          },
          (err: unknown) => {
            if (gone) resolve('gone');
            // client-node ends a watch silent for inactivityTimeoutMs with a TimeoutError: renew it.
            else if (err && !this.#stopped && !isAbort(err) && !isIdleTimeout(err)) reject(err);
            else resolve('closed');
          },
        )
        .then((abort) => {
          this.#abort = abort;
          if (this.#stopped) abort.abort();
        }, reject);
    });
    return Promise.race([connection, this.#whenStopped]);
  }
}

function keyOf(obj: WatchedObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function isIdleTimeout(err: unknown): boolean {
  return (err as { name?: string })?.name === 'TimeoutError';
}

function isAbort(err: unknown): boolean {
  const e = err as { name?: string; type?: string };
  return e?.name === 'AbortError' || e?.type === 'aborted';
}
