// Kubernetes events on Keelson's objects, so `kubectl describe` says what happened. Every
// message goes through the redactor first. The same type, reason and message on the same
// object within `aggregateMs` is one Event whose count rises and whose lastTimestamp moves
// (as client-go's event correlator does), so `retry 3 of 3` shows three failures, not one.
import type { KubeConnection } from './kubeconfig.ts';
import { randomBytes } from 'node:crypto';
import { KubeApiError } from './api-error.ts';
import { LazyRestTransport } from './rest-transport.ts';

export interface EventTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly uid?: string };
}

export interface EventRecorderOptions {
  /** The `source.component` / `reportingController` of every event. @default 'keelson' */
  readonly component?: string;
  /** Applied to every message before it leaves the process. */
  readonly redact: (text: string) => string;
  /** How long a repeat raises the count of the Event before it instead of making a new one. @default 10 min */
  readonly aggregateMs?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly clock?: () => number;
}

interface Recorded {
  readonly name: string;
  readonly namespace: string;
  readonly firstAt: number;
  count: number;
}

export class EventRecorder {
  readonly #rest: LazyRestTransport;
  readonly #options: EventRecorderOptions;
  readonly #recent = new Map<string, Recorded>();

  constructor(kc: KubeConnection, options: EventRecorderOptions) {
    this.#rest = new LazyRestTransport(kc, { maxSockets: 4 });
    this.#options = options;
  }

  /** Closes the idle connections. */
  close(): void {
    this.#rest.close();
  }

  async record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const text = this.#options.redact(message).slice(0, 1024);
    const { namespace, name, uid } = target.metadata;
    const key = `${namespace}/${name}|${uid ?? ''}|${type}|${reason}|${text}`;
    const now = (this.#options.clock ?? Date.now)();
    const at = new Date(now).toISOString();
    const earlier = this.#recent.get(key);
    if (earlier && now - earlier.firstAt < (this.#options.aggregateMs ?? 10 * 60_000)) {
      const count = earlier.count + 1;
      try {
        await this.#rest.request({
          method: 'PATCH',
          path: `/api/v1/namespaces/${encodeURIComponent(earlier.namespace)}/events/${encodeURIComponent(earlier.name)}`,
          contentType: 'application/merge-patch+json',
          body: { count, lastTimestamp: at },
        });
        earlier.count = count;
        return;
      } catch (err) {
        // The Event expired (the API server keeps them for an hour): make a new one.
        if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      }
    }
    const component = this.#options.component ?? 'keelson';
    const eventName = `${name}.${now.toString(16)}${randomBytes(3).toString('hex')}`;
    await this.#rest.request({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: eventName, namespace },
        involvedObject: { apiVersion: target.apiVersion, kind: target.kind, name, namespace, uid },
        type,
        reason,
        message: text,
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        source: { component },
        reportingComponent: component,
        reportingInstance: component,
      },
    });
    this.#recent.delete(key);
    this.#recent.set(key, { name: eventName, namespace, firstAt: now, count: 1 });
    if (this.#recent.size > 5000) this.#recent.delete(this.#recent.keys().next().value!);
  }
}
