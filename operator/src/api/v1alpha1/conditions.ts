// The condition types and reasons of both kinds, as the API promises them: alerts, dashboards
// and `kubectl wait --for=condition=…` read these strings, so the code, the docs
// (docs/conditions.md, checked by conditions.test.ts) and the tests all take them from here.
// Reasons of a failure that another module types (a Git fetch, a synthesis, a pass secret, an
// npm install) are that module's, passed through as they are: GitFailureReason,
// SynthesisFailureReason, PassErrorReason, DependencyFailureReason.

/** Condition types. Ready, Reconciling and Stalled are kstatus's; the others are Keelson's. */
export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  /** GitRepository: the last fetch failed (the last good artifact is kept). */
  FetchFailed: 'FetchFailed',
  /** Environment: its GitRepository has an artifact. */
  SourceReady: 'SourceReady',
  /** Environment: the deploy repository synthesized (charts rendered, packages installed). */
  Synthesized: 'Synthesized',
  /** Environment: its PassSecrets resolved from the pass store. */
  SecretsResolved: 'SecretsResolved',
  /** Environment: the live state matches the desired state. */
  Synced: 'Synced',
  /** Environment: every managed object is healthy. */
  Healthy: 'Healthy',
  /** Environment with spec.destination: its cluster's Secret is usable and the cluster answers. */
  ClusterReachable: 'ClusterReachable',
} as const;

/** The reasons the controllers set themselves, by the condition they are seen on. */
export const Reason = {
  // Ready / Reconciling / Stalled, both kinds
  /** Every step succeeded. */
  Succeeded: 'Succeeded',
  /** spec.suspend is true. */
  Suspended: 'Suspended',
  /** A failure that may pass: retried with backoff (Reconciling). */
  ProgressingWithRetry: 'ProgressingWithRetry',
  /** An unexpected error (the API server, a bug): retried with backoff. */
  ReconcileFailed: 'ReconcileFailed',
  /** Nothing stalls the Environment (Stalled False). */
  Reconciled: 'Reconciled',
  /** A sync operation is running (Reconciling, Ready). */
  Syncing: 'Syncing',
  /** No sync operation is running (Reconciling False). */
  Idle: 'Idle',
  /** A deleted Environment's objects are being deleted, with its delete hooks (Ready False). */
  Deleting: 'Deleting',
  /** A PreDelete or PostDelete hook failed: the deletion waits for a fix (Ready False). */
  DeletionBlocked: 'DeletionBlocked',

  // SourceReady
  ArtifactReady: 'ArtifactReady',
  /** The GitRepository spec.sourceRef names does not exist (waited for). */
  SourceNotFound: 'SourceNotFound',
  /** The GitRepository has no artifact yet (waited for). */
  ArtifactNotReady: 'ArtifactNotReady',
  /** The artifact's revision names no commit. */
  InvalidRevision: 'InvalidRevision',

  // Synthesized
  Synthesized: 'Synthesized',
  /** The deploy repository's code failed (stalled until a new commit). */
  SynthesisFailed: 'SynthesisFailed',
  /** Synthesis could not run (the worker pool, the disk): retried. */
  SynthesisError: 'SynthesisError',
  /** A chart repository or registry is down: waited for, the last synced state stays. */
  ChartUnavailable: 'ChartUnavailable',
  /** An npm registry is down: waited for, the last synced state stays. */
  DependenciesUnavailable: 'DependenciesUnavailable',
  /** The Secret of a chart repository (spec.charts) does not exist (waited for). */
  ChartCredentialsNotFound: 'ChartCredentialsNotFound',
  /** That Secret lacks a key the field needs. */
  ChartCredentialsInvalid: 'ChartCredentialsInvalid',
  /** The Secret of an npm registry (spec.npmRegistries) does not exist (waited for). */
  NpmCredentialsNotFound: 'NpmCredentialsNotFound',
  /** That Secret lacks the token. */
  NpmCredentialsInvalid: 'NpmCredentialsInvalid',

  // SecretsResolved (a failure's reason is its PassErrorReason, or SecretsUnresolved)
  Resolved: 'Resolved',
  /** The desired state has no PassSecret reference. */
  NoPassSecrets: 'NoPassSecrets',
  /** PassSecrets without spec.secrets.pass. */
  NoPassStore: 'NoPassStore',
  /** The pass store's GitRepository does not exist (waited for). */
  StoreNotFound: 'StoreNotFound',
  /** The pass store's GitRepository has no artifact yet (waited for). */
  StoreNotReady: 'StoreNotReady',
  /** The key Secret spec.secrets.pass.keySecretRef names does not exist. */
  KeyNotFound: 'KeyNotFound',
  /** The key Secret holds no usable key. */
  KeyUnusable: 'KeyUnusable',

  // Synced
  Synced: 'Synced',
  OutOfSync: 'OutOfSync',
  Unknown: 'Unknown',
  /** The last sync operation failed. */
  SyncFailed: 'SyncFailed',
  /** A sync annotation (wave, hook phase, delete policy) is invalid: every object named. */
  InvalidAnnotation: 'InvalidAnnotation',
  /** The desired state is empty and would prune everything (spec.sync.allowEmpty is off). */
  PruneRefused: 'PruneRefused',
  /** A sync window's schedule, duration or time zone is invalid: the field is named. */
  InvalidSyncWindow: 'InvalidSyncWindow',

  // Healthy: True with Healthy; False with the health status (Progressing, Degraded, Missing…)
  Healthy: 'Healthy',

  // ClusterReachable (Environments with spec.destination)
  /** The cluster answers. */
  ClusterReachable: 'ClusterReachable',
  /** The cluster does not answer (refused, timed out, TLS failed): waited for, retried by itself. */
  ClusterUnreachable: 'ClusterUnreachable',
  /** The Secret spec.destination names does not exist, or lacks the label keelson.dev/cluster (waited for). */
  ClusterSecretNotFound: 'ClusterSecretNotFound',
  /** The Secret cannot be used (an exec plugin, a file path, no credentials): the message names the key. */
  ClusterSecretInvalid: 'ClusterSecretInvalid',
  /** The registration Secret's keelson.dev/cluster-namespaces does not list the Environment's namespace. */
  ClusterNotAllowed: 'ClusterNotAllowed',

  // Notification: Ready (True with Succeeded: the provider is usable and the last delivery went out)
  /** spec.provider.type names no provider this operator knows. */
  UnknownProvider: 'UnknownProvider',
  /** The Secret spec.provider.secretRef names does not exist (waited for). */
  SecretNotFound: 'SecretNotFound',
  /** The provider lacks what it needs (a token, an address, a channel, a repository): the message names it. */
  ProviderInvalid: 'ProviderInvalid',
  /** A template of spec.templates does not parse: the default message is used for its trigger. */
  TemplateInvalid: 'TemplateInvalid',
  /** The last delivery failed after its retries (or was refused by the provider). */
  DeliveryFailed: 'DeliveryFailed',
} as const;

export type ConditionTypeName = (typeof ConditionType)[keyof typeof ConditionType];
export type ReasonName = (typeof Reason)[keyof typeof Reason];

/** The reasons of the Events Keelson records on its objects. */
export const EventReason = {
  NewArtifact: 'NewArtifact',
  SyncStarted: 'SyncStarted',
  SyncSucceeded: 'SyncSucceeded',
  SyncFailed: 'SyncFailed',
  DriftCorrected: 'DriftCorrected',
  InvalidSyncRequest: 'InvalidSyncRequest',
  /** A closed sync window refused a manual sync request. */
  SyncWindowClosed: 'SyncWindowClosed',
  InvalidAnnotation: 'InvalidAnnotation',
  PruneRefused: 'PruneRefused',
  PruneSkipped: 'PruneSkipped',
  DeletionSkipped: 'DeletionSkipped',
  DeletionStarted: 'DeletionStarted',
  DeletionBlocked: 'DeletionBlocked',
  DeleteHooksSkipped: 'DeleteHooksSkipped',
  ActionRun: 'ActionRun',
  ActionFailed: 'ActionFailed',
} as const;
