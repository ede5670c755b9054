// Every label and annotation key Keelson reads or writes, each with what it means.
// Nothing else in the code spells these strings.

/** Label on every managed object: the name of the Environment that owns it. */
export const LABEL_ENVIRONMENT = 'keelson.dev/environment';
/** Label on every managed object: the namespace of the Environment that owns it. */
export const LABEL_ENVIRONMENT_NAMESPACE = 'keelson.dev/environment-namespace';
/**
 * Label on every managed object when the operator runs sharded (--shards): the shard of the
 * owning Environment, so each replica watches only its own shards' objects (ADR 0026).
 */
export const LABEL_SHARD = 'keelson.dev/shard';
/** Label on synthesized objects: the app (cdk8s Chart) of the deploy repo they come from. */
export const LABEL_APP = 'keelson.dev/app';

/** Annotation on every managed object: `<namespace>/<name>` of the owning Environment. */
export const ANNOTATION_OWNER = 'keelson.dev/owner';
/** Hook phase of an object: PreSync | Sync | PostSync | SyncFail (comma-separated allowed). */
export const ANNOTATION_HOOK = 'keelson.dev/hook';
/** When to delete a hook object: BeforeHookCreation (default) | HookSucceeded | HookFailed. */
export const ANNOTATION_HOOK_DELETE_POLICY = 'keelson.dev/hook-delete-policy';
/** Sync wave (an integer, default 0): lower waves are applied and healthy first. */
export const ANNOTATION_SYNC_WAVE = 'keelson.dev/sync-wave';
/** "false" keeps an object when it leaves the desired state (never pruned). */
export const ANNOTATION_PRUNE = 'keelson.dev/prune';
/** Comma-separated sync options of one object (`Replace=true,Validate=false`): core/sync/sync-options.ts. */
export const ANNOTATION_SYNC_OPTIONS = 'keelson.dev/sync-options';
/** Comma-separated RFC 6901 pointers of fields that are not drift for this object. */
export const ANNOTATION_IGNORE_DIFFERENCES = 'keelson.dev/ignore-differences';
/** On a hook object Keelson created: the id of the operation that created it. */
export const ANNOTATION_OPERATION = 'keelson.dev/operation';
/** Label on a hook object Keelson created: the name the deploy repo gave the hook (hash when longer than 63). */
export const LABEL_HOOK_OF = 'keelson.dev/hook-of';

/** Argo CD's hook annotation, honoured unchanged. */
export const ARGO_ANNOTATION_HOOK = 'argocd.argoproj.io/hook';
/** Argo CD's hook delete policy annotation, honoured unchanged. */
export const ARGO_ANNOTATION_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
/** Argo CD's sync wave annotation, honoured unchanged. */
export const ARGO_ANNOTATION_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/** On a namespace CreateNamespace=true created: the Environment (`namespace/name`) it was created for. */
export const ANNOTATION_CREATED_FOR = 'keelson.dev/created-for';
/** Argo CD's sync options annotation, honoured unchanged. */
export const ARGO_ANNOTATION_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/** On a synthesized Secret: JSON map of data key → pass reference ({ path, field? }); values are filled at apply. */
export const ANNOTATION_PASS_REFS = 'keelson.dev/pass-refs';
/** On an applied Secret: SHA-256 over the resolved values (never the values), so a changed entry re-applies. */
export const ANNOTATION_SECRET_HASH = 'keelson.dev/secret-hash';

/** On an Environment or GitRepository: a token; a new value asks for a sync now (optionally `token@revision`). */
export const ANNOTATION_SYNC_REQUESTED_AT = 'keelson.dev/sync-requested-at';
/** On an Environment or GitRepository: a token; a new value asks for a fetch and comparison now. */
export const ANNOTATION_REFRESH_REQUESTED_AT = 'keelson.dev/refresh-requested-at';

/** Server-side apply field manager of everything Keelson applies. */
export const FIELD_MANAGER = 'keelson';
/** Finalizer on Environments, so deletion can orphan or delete what they manage. */
export const FINALIZER = 'keelson.dev/finalizer';

/** On an Environment: who asked for the sync in keelson.dev/sync-requested-at (recorded as initiatedBy). */
export const ANNOTATION_SYNC_REQUESTED_BY = 'keelson.dev/sync-requested-by';
/** On an Environment: automated sync is paused (set by a rollback, removed by `keelson resume`); the value says why. */
export const ANNOTATION_AUTO_SYNC_PAUSED = 'keelson.dev/auto-sync-paused';

/** Label on a Secret that registers a cluster (value "true"): only such Secrets are used by spec.destination. */
export const LABEL_CLUSTER = 'keelson.dev/cluster';
/** On a cluster Secret of the registration namespace: the namespaces (comma-separated, `*` all) that may use it. */
export const ANNOTATION_CLUSTER_NAMESPACES = 'keelson.dev/cluster-namespaces';
