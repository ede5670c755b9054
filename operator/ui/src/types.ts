// The shapes the page reads from the operator API (the UI part is described in adr/0017-web-ui.md).
import type { GitRepositoryRow } from '../../src/adapters/ui/git-repositories.ts';
import type { OwnedChildren, OwnedNode } from '../../src/core/environment/owned-tree.ts';
export type SyncStatus = 'Synced' | 'OutOfSync' | 'Unknown';
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
export type Policy = 'automated' | 'manual' | 'paused' | 'suspended';
export type OperationPhase = 'Running' | 'Succeeded' | 'Failed' | 'Terminating';
export type TaskStatus = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Skipped';

export interface Session {
  readonly user: string;
  readonly groups: readonly string[];
  readonly csrf: string;
}

export interface RowOperation {
  readonly phase: OperationPhase;
  readonly revision: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly message?: string;
}

export interface Row {
  readonly namespace: string;
  readonly name: string;
  readonly sync: SyncStatus;
  readonly health: HealthStatus;
  readonly healthMessage?: string;
  readonly revision?: string;
  readonly latestRevision?: string;
  readonly policy: Policy;
  readonly operation?: RowOperation;
  readonly ready: {
    readonly status: 'True' | 'False' | 'Unknown';
    readonly reason?: string;
    readonly message?: string;
  };
  readonly attention: boolean;
}

export interface OverviewPage {
  readonly total: number;
  readonly offset: number;
  readonly items: readonly Row[];
  readonly namespaces: readonly string[];
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export interface ResourceStatus {
  readonly group?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly app?: string;
  readonly wave?: number;
  readonly hook?: string;
  readonly sync?: SyncStatus;
  readonly health?: HealthStatus | { readonly status: HealthStatus; readonly message?: string };
  readonly message?: string;
}

export interface OperationTask {
  readonly key: string;
  readonly phase: string;
  readonly wave: number;
  readonly status: TaskStatus;
  readonly hookName?: string;
  readonly kind?: string;
  readonly message?: string;
}

export interface Initiator {
  readonly username?: string;
  readonly automated?: boolean;
}

export interface Operation {
  readonly id: string;
  readonly phase: OperationPhase;
  readonly revision: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly message?: string;
  readonly failure?: string;
  readonly validated?: boolean;
  readonly initiatedBy?: Initiator;
  readonly tasks?: readonly OperationTask[];
}

export interface HistoryEntry {
  readonly id?: number;
  readonly operationId?: string;
  readonly revision: string;
  readonly deployedAt: string;
  readonly initiatedBy?: Initiator;
}

export interface Environment {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: {
    readonly sourceRef?: { readonly name: string };
    readonly environment?: string;
    readonly path?: string;
    readonly suspend?: boolean;
    readonly sync?: { readonly automated?: object };
  };
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly sync?: { readonly status: SyncStatus; readonly revision?: string };
    readonly health?: { readonly status: HealthStatus; readonly message?: string };
    readonly resources?: readonly ResourceStatus[];
    readonly operation?: Operation;
    readonly history?: readonly HistoryEntry[];
  };
}

export interface Access {
  readonly get: boolean;
  readonly sync: boolean;
  readonly rollback: boolean;
  readonly patch: boolean;
  /** Resource actions (restart, scale, …): RBAC verb `action` on the Environment. */
  readonly action: boolean;
}

export interface KubeEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly lastTimestamp?: string;
}

/** A row of GET /api/v1/gitrepositories, as the server writes it. */
export type { GitRepositoryRow };

export interface GitRepository {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: { readonly secretRef?: { readonly name: string }; readonly suspend?: boolean };
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly lastHandledRefreshAt?: string;
  };
}

/** The events of a GitRepository's stream: it, its row, and the Environments using it (when listable). */
export interface GitRepositoryView {
  readonly gitRepository: GitRepository;
  readonly row: GitRepositoryRow;
  readonly environments?: readonly Row[];
}

export interface GitRepositoryAccess {
  readonly get: boolean;
  /** Refresh, suspend and resume: RBAC verb `patch` on the GitRepository. */
  readonly patch: boolean;
}

export type { OwnedNode };

/** GET …/tree: what each of the Environment's objects owns, by `group/Kind/namespace/name`. */
export interface OwnedTree {
  readonly items: readonly (OwnedChildren & { readonly key: string })[];
  /** Lists the operator could not read, so the tree may lack their objects. */
  readonly unread: readonly string[];
}
