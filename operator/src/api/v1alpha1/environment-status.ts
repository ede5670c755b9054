// The Environment's status: a dashboard (sync, health, resources), the memory of the sync in
// progress (operation) and of the last ones (history), and what prune left in place.
import { Conditions, ObservedGeneration, StringEnum, Timestamp, Type, type Static } from './schema.ts';
import { SyncWindowState } from './sync-window.ts';

export const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Unknown'] as const;
export const HEALTH_STATUSES = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'] as const;
export const OPERATION_PHASES = ['Running', 'Succeeded', 'Failed', 'Terminating'] as const;

const SyncStatus = StringEnum(SYNC_STATUSES, { description: 'Whether the live state matches the desired state.' });
const HealthStatus = StringEnum(HEALTH_STATUSES, {
  description: 'Health, ordered from best to worst: Healthy < Suspended < Progressing < Missing < Degraded < Unknown.',
});

/** The fields that name one object in status lists. */
const objectIdentity = {
  group: Type.String({ description: 'API group; empty for the core group.' }),
  version: Type.String(),
  kind: Type.String(),
  namespace: Type.Optional(Type.String()),
  name: Type.String(),
};

export const ResourceStatus = Type.Object(
  {
    ...objectIdentity,
    app: Type.Optional(Type.String({ description: 'The app of the deploy repository this object belongs to.' })),
    sync: Type.Optional(SyncStatus),
    health: Type.Optional(HealthStatus),
    message: Type.Optional(Type.String({ maxLength: 4096 })),
    wave: Type.Optional(Type.Integer({ format: 'int32' })),
    hook: Type.Optional(Type.String({ description: 'The hook phase, for hook objects.' })),
  },
  { description: 'One managed object.' },
);

export const RETAIN_REASONS = ['NotOwned', 'PruneDisabled'] as const;

export const RetainedObject = Type.Object(
  {
    ...objectIdentity,
    reason: StringEnum(RETAIN_REASONS),
    message: Type.String({ maxLength: 4096 }),
  },
  { description: 'An object Keelson would have deleted and left in place.' },
);

export const OperationTask = Type.Object(
  {
    key: Type.String({ description: 'group/kind/namespace/name of the object.' }),
    phase: Type.String({ description: 'Sync phase: PreSync, Sync, PostSync, SyncFail, or Prune.' }),
    wave: Type.Integer({ format: 'int32' }),
    status: StringEnum(['Pending', 'Running', 'Succeeded', 'Failed', 'Skipped'] as const),
    hookName: Type.Optional(Type.String({ description: 'The deterministic per-operation name of a hook object.' })),
    message: Type.Optional(Type.String({ maxLength: 4096 })),
    apiVersion: Type.Optional(Type.String({ description: 'apiVersion of the object, to address it when resuming.' })),
    startedAt: Type.Optional(Timestamp('When the task started; hook timeouts count from here.')),
    applied: Type.Optional(
      Type.Boolean({ description: 'True once the apply, hook creation or deletion was accepted by the API server.' }),
    ),
    retained: Type.Optional(
      StringEnum(RETAIN_REASONS, {
        description:
          "Why a Prune task left its object in place (then Skipped): NotOwned (the live object is not this Environment's) " +
          'or PruneDisabled (keelson.dev/prune: "false").',
      }),
    ),
  },
  { description: 'One step of a sync operation.' },
);

export const Initiator = Type.Object(
  {
    username: Type.Optional(Type.String({ description: 'Who asked for the sync, when a person did.' })),
    automated: Type.Optional(Type.Boolean({ description: 'True when the automated sync policy started it.' })),
  },
  { description: 'Who started an operation.' },
);

export const Operation = Type.Object(
  {
    id: Type.String({ description: 'Unique id of the operation; hook names derive from it.' }),
    phase: StringEnum(OPERATION_PHASES),
    revision: Type.String(),
    initiatedBy: Type.Optional(Initiator),
    startedAt: Timestamp('When the operation started.'),
    finishedAt: Type.Optional(Timestamp('When the operation finished.')),
    message: Type.Optional(Type.String({ maxLength: 32768 })),
    retryCount: Type.Optional(Type.Integer({ minimum: 0 })),
    generation: Type.Optional(
      Type.Integer({
        description: 'The Environment generation this operation syncs; a spec change syncs again.',
        minimum: 0,
        format: 'int64',
      }),
    ),
    selfHeal: Type.Optional(
      Type.Boolean({ description: 'A self-heal: re-applies only the objects that drifted, without hooks or prune.' }),
    ),
    deletion: Type.Optional(
      Type.Boolean({
        description:
          "The deletion of a deleted Environment's objects (deletionPolicy Delete), with its PreDelete and PostDelete hooks.",
      }),
    ),
    desiredHash: Type.Optional(
      Type.String({
        description:
          'Hash of the desired objects this operation applies: a commit that leaves them unchanged is not a new target.',
        maxLength: 128,
      }),
    ),
    validated: Type.Optional(
      Type.Boolean({
        description: 'True once the server-side dry-run of every object passed; nothing is applied before.',
      }),
    ),
    failure: Type.Optional(
      Type.String({
        description: 'Why the operation failed, set while SyncFail hooks run and kept after.',
        maxLength: 32768,
      }),
    ),
    tasks: Type.Optional(Type.Array(OperationTask, { description: 'Per-task results, in plan order.' })),
  },
  { description: 'The sync in progress or the last finished one; persisted so a restarted operator resumes it.' },
);

export const HistoryEntry = Type.Object(
  {
    id: Type.Integer({ minimum: 0, format: 'int64' }),
    revision: Type.String(),
    deployedAt: Timestamp('When the sync finished.'),
    initiatedBy: Type.Optional(Initiator),
    operationId: Type.Optional(Type.String()),
  },
  { description: 'One finished, successful sync.' },
);

export const EnvironmentStatus = Type.Object(
  {
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(Conditions),
    sync: Type.Optional(
      Type.Object(
        { status: SyncStatus, revision: Type.Optional(Type.String()) },
        { description: 'Sync status against the latest revision.' },
      ),
    ),
    health: Type.Optional(
      Type.Object(
        { status: HealthStatus, message: Type.Optional(Type.String({ maxLength: 4096 })) },
        { description: 'Aggregated health: the worst of the resources.' },
      ),
    ),
    apps: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.String(),
          sync: SyncStatus,
          health: HealthStatus,
          resources: Type.Integer({ minimum: 0 }),
        }),
        { description: 'Per app of the deploy repository.' },
      ),
    ),
    resources: Type.Optional(Type.Array(ResourceStatus, { description: 'Every managed object.' })),
    inventory: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'Keys (group/version/kind/namespace/name) of every object Keelson applied; only these are ever pruned.',
      }),
    ),
    operation: Type.Optional(Operation),
    history: Type.Optional(Type.Array(HistoryEntry, { description: 'The last syncs, newest first.' })),
    retained: Type.Optional(
      Type.Array(RetainedObject, {
        description:
          'Objects the last pruning sync (or a deletion) left in place instead of deleting them, and why; they are no longer in the inventory.',
        maxItems: 100,
      }),
    ),
    lastHandledSyncAt: Type.Optional(
      Type.String({ description: 'The last keelson.dev/sync-requested-at token handled.' }),
    ),
    lastHandledRefreshAt: Type.Optional(
      Type.String({ description: 'The last keelson.dev/refresh-requested-at token handled.' }),
    ),
    syncWindow: Type.Optional(SyncWindowState),
    reconciledBy: Type.Optional(
      Type.Object(
        {
          replica: Type.String({ description: "The operator replica (its pod's name) that holds the shard." }),
          shard: Type.Integer({ minimum: 0, description: 'The shard of this Environment (ADR 0023).' }),
        },
        { description: 'With sharding on (--shards): the replica that reconciled this Environment last.' },
      ),
    ),
  },
  { description: 'The observed state of the environment.' },
);

export type EnvironmentStatus = Static<typeof EnvironmentStatus>;
export type ResourceStatus = Static<typeof ResourceStatus>;
export type RetainedObject = Static<typeof RetainedObject>;
export type Operation = Static<typeof Operation>;
export type OperationTask = Static<typeof OperationTask>;
export type HistoryEntry = Static<typeof HistoryEntry>;
export type SyncStatus = (typeof SYNC_STATUSES)[number];
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
