// The SyncWindow objects (ADR 0021), held by a watch: the Environment reconciler reads them from
// here with no request, and a change re-queues the Environments of its namespace, so a window
// added, edited or removed takes effect at once, not at the next periodic check.
import type { KubeConnection } from './kubeconfig.ts';
import { syncWindowDefinition } from '../../api/v1alpha1/index.ts';
import type { SharedSyncWindow } from '../../core/environment/sync-window-sources.ts';
import type { Logger } from '../../core/logger.ts';
import { optionalWatches, type OptionalWatch } from './optional-watch.ts';

export interface SyncWindowWatchOptions {
  readonly kubeConfig: KubeConnection;
  /** Namespaces to watch; empty means all. */
  readonly namespaces: readonly string[];
  readonly log: Logger;
  /** A SyncWindow of `namespace` was added, changed or deleted. */
  readonly onChange: (namespace: string) => void;
}

export class SyncWindowWatch {
  readonly #watches: OptionalWatch[];

  constructor(options: SyncWindowWatchOptions) {
    this.#watches = optionalWatches({
      ...options,
      definition: syncWindowDefinition,
      onEvent: (_type, obj) => {
        if (obj.metadata?.namespace) options.onChange(obj.metadata.namespace);
      },
    });
  }

  /** Resolves once every watch listed. */
  async start(): Promise<void> {
    await Promise.all(this.#watches.map((w) => w.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.#watches.map((w) => w.stop()));
  }

  /** The SyncWindows of a namespace, as the watch last saw them. */
  list(namespace: string): readonly SharedSyncWindow[] {
    return this.#watches
      .flatMap((w) => w.objects() as unknown as SharedSyncWindow[])
      .filter((w) => w.metadata.namespace === namespace);
  }
}
