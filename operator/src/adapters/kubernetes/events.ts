// Kubernetes events on Keelson's objects, so `kubectl describe` says what happened. Every
// message goes through the redactor first. The same reason and message on the same object
// within `dedupeMs` is sent once.
import type * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
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
  /** @default 60 s */
  readonly dedupeMs?: number;
}

export class EventRecorder {
  readonly #rest: LazyRestTransport;
  readonly #options: EventRecorderOptions;
  readonly #recent = new Map<string, number>();

  constructor(kc: k8s.KubeConfig, options: EventRecorderOptions) {
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
    const key = `${namespace}/${name}|${type}|${reason}|${text}`;
    const now = Date.now();
    if (now - (this.#recent.get(key) ?? -Infinity) < (this.#options.dedupeMs ?? 60_000)) return;
    this.#recent.set(key, now);
    if (this.#recent.size > 5000) this.#recent.delete(this.#recent.keys().next().value!);
    const component = this.#options.component ?? 'keelson';
    const at = new Date(now).toISOString();
    await this.#rest.request({
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      body: {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: `${name}.${now.toString(16)}${randomBytes(3).toString('hex')}`, namespace },
        involvedObject: { apiVersion: target.apiVersion, kind: target.kind, name, namespace, ...(uid ? { uid } : {}) },
        type, reason, message: text,
        firstTimestamp: at, lastTimestamp: at, count: 1,
        source: { component },
        reportingComponent: component,
        reportingInstance: component,
      },
    });
  }
}
