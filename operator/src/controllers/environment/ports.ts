// What the Environment reconciler needs from the rest of the operator, as small
// interfaces; main.ts passes the concrete adapters.
import type { GitRepositoryResource, EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { EnvironmentStatus } from '../../api/v1alpha1/environment.ts';
import type { SyncExecutor } from '../../adapters/kubernetes/sync-executor.ts';
import type { SourceTree } from '../../core/source.ts';
import type { SharedSyncWindow } from '../../core/environment/sync-window-sources.ts';

/** Trees of GitRepository artifacts, from the shared object cache. */
export interface ArtifactSource {
  /** The tree of `repo` at `commit` (its current artifact's commit, or an earlier one for a rollback). */
  tree(repo: GitRepositoryResource, commit: string): Promise<SourceTree>;
}

/** Keelson's own resources, as the reconciler reads and writes them (KeelsonResources). */
export interface EnvironmentStore {
  getEnvironment(namespace: string, name: string): Promise<EnvironmentResource>;
  getGitRepository(namespace: string, name: string): Promise<GitRepositoryResource>;
  /** `guard`: a fence checked last before the write goes out (it throws to refuse it). */
  setEnvironmentFinalizers(
    namespace: string,
    name: string,
    finalizers: string[],
    guard?: () => void,
  ): Promise<EnvironmentResource>;
  patchEnvironmentStatus(
    namespace: string,
    name: string,
    status: EnvironmentStatus,
    options: { readonly firstStatus: boolean; readonly guard?: () => void },
  ): Promise<EnvironmentResource>;
}

/** The SyncWindow objects of a namespace, as their watch last saw them (no request per reconcile). */
export interface SyncWindowReader {
  list(namespace: string): readonly SharedSyncWindow[];
}

/** What the reconciler asks of an Environment's SyncExecutor: compare, plan a sync, step it. */
export type EnvironmentExecutor = Pick<SyncExecutor, 'compareWithCluster' | 'readInventory' | 'start' | 'step'>;

/** One SyncExecutor per Environment (its owner, its identity, its persistence). */
export interface ExecutorFactory {
  executorFor(env: EnvironmentResource): Promise<EnvironmentExecutor>;
  forget(namespace: string, name: string): void;
}

export type EventType = 'Normal' | 'Warning';

/** Kubernetes events on the Environment; messages pass redaction before they are sent. */
export interface EventSink {
  record(env: EnvironmentResource, type: EventType, reason: string, message: string): Promise<void>;
}

/** Metrics the reconciler reports (adapters/metrics implements them). */
export interface EnvironmentMetricsSink {
  syncFinished(env: EnvironmentResource, phase: 'Succeeded' | 'Failed', seconds: number): void;
  driftCorrected(env: EnvironmentResource): void;
  hookFinished(env: EnvironmentResource, phase: string, result: 'Succeeded' | 'Failed'): void;
  observe(env: EnvironmentResource): void;
  forget(namespace: string, name: string): void;
}
