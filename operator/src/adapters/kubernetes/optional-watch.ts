// A watch of a kind whose CRD may not be installed yet (an upgrade that has not applied
// crds/ — Helm does not upgrade CRDs): the operator starts without it, says so, and tries again
// every 30 s; while it cannot list, it holds no objects (and there can be none of that kind).
import type { KubeConnection } from './kubeconfig.ts';
import type { ResourceDefinition } from '../../api/crd.ts';
import type { Logger } from '../../core/logger.ts';
import { ResourceWatch, type WatchEventType, type WatchedObject } from './watch.ts';

const RETRY_MS = 30_000;

export interface OptionalWatchesOptions {
  readonly kubeConfig: KubeConnection;
  /** Namespaces to watch; empty means all. */
  readonly namespaces: readonly string[];
  readonly definition: Pick<ResourceDefinition, 'group' | 'version' | 'plural' | 'kind'>;
  readonly log: Logger;
  readonly onEvent: (type: WatchEventType, object: WatchedObject) => void;
}

/** One OptionalWatch of the definition's kind per namespace (one of all namespaces when none are named). */
export function optionalWatches(options: OptionalWatchesOptions): OptionalWatch[] {
  const { group, version, plural, kind } = options.definition;
  const namespaces = options.namespaces.length ? options.namespaces : [undefined];
  return namespaces.map(
    (namespace) =>
      new OptionalWatch(
        () =>
          new ResourceWatch(options.kubeConfig, {
            resource: { group, version, plural },
            namespace,
            startTimeoutMs: 10_000,
            onEvent: options.onEvent,
            onError: (err) => options.log.warn(`${kind} watch error; reconnecting`, { error: String(err) }),
          }),
        options.log,
        `${kind}s`,
      ),
  );
}

export class OptionalWatch {
  readonly #make: () => ResourceWatch;
  readonly #log: Logger;
  readonly #what: string;
  #watch: ResourceWatch;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** `make` builds the watch (anew after a failed start); `what` names the kind for the log. */
  constructor(make: () => ResourceWatch, log: Logger, what: string) {
    this.#make = make;
    this.#log = log;
    this.#what = what;
    this.#watch = make();
  }

  /** Resolves once it lists, or once it has said why it cannot (it then goes on trying). */
  async start(): Promise<void> {
    try {
      await this.#watch.start();
    } catch (err) {
      if (this.#stopped) return;
      this.#log.warn(`cannot watch ${this.#what} (is its CRD applied?); trying again every 30 s`, {
        error: String(err),
      });
      await this.#watch.stop().catch(() => undefined);
      this.#watch = this.#make();
      this.#timer = setTimeout(() => void this.start(), RETRY_MS);
      this.#timer.unref();
    }
  }

  objects(): WatchedObject[] {
    return this.#watch.objects();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#watch.stop().catch(() => undefined);
  }
}
