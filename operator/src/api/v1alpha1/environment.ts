// Environment: one environment of one deploy repository, what an Argo CD Application is
// for one environment. The spec says where the cdk8s app is and how to sync it; the status
// is a dashboard (sync, health, resources) and the memory of the sync in progress.
import {
  DnsLabel,
  Duration,
  LocalObjectReference,
  ObjectName,
  StringEnum,
  StringMap,
  Type,
  withRules,
  type Static,
} from './schema.ts';
import { EnvironmentSyncWindow } from './sync-window.ts';

export * from './environment-status.ts';

export const DELETION_POLICIES = ['Orphan', 'Delete'] as const;

export const IgnoreDifference = Type.Object(
  {
    group: Type.Optional(Type.String({ description: 'API group; empty for the core group.', maxLength: 253 })),
    kind: Type.String({ description: 'Kind of the objects this rule applies to.', minLength: 1, maxLength: 63 }),
    name: Type.Optional(Type.String({ description: 'Only the object with this name.', maxLength: 253 })),
    namespace: Type.Optional(Type.String({ description: 'Only objects in this namespace.', maxLength: 63 })),
    jsonPointers: Type.Array(Type.String({ pattern: '^(/[^/]*)+$' }), {
      description: 'RFC 6901 pointers to fields that are not drift, e.g. /spec/replicas.',
      minItems: 1,
      maxItems: 64,
    }),
  },
  { description: 'Fields to leave out of the comparison of desired and live state.' },
);

/** Sync options that are on or off (`Name=true|false`); core/sync/sync-options.ts says what each does. */
export const SYNC_OPTION_FLAGS = [
  'Replace',
  'Force',
  'Prune',
  'PruneLast',
  'Validate',
  'SkipDryRunOnMissingResource',
  'FailOnSharedResource',
  'CreateNamespace',
] as const;
export const PROPAGATION_POLICIES = ['foreground', 'background', 'orphan'] as const;
/** Every sync option Keelson accepts; ServerSideApply=true is what Keelson always does. */
export const SYNC_OPTION_VALUES = [
  ...SYNC_OPTION_FLAGS.flatMap((n) => [`${n}=true`, `${n}=false`]),
  ...PROPAGATION_POLICIES.map((p) => `PrunePropagationPolicy=${p}`),
  'ServerSideApply=true',
];

export const SyncPolicy = Type.Object(
  {
    automated: Type.Optional(
      Type.Object(
        {
          prune: Type.Optional(
            Type.Boolean({ description: 'Delete what the environment no longer declares.', default: false }),
          ),
          selfHeal: Type.Optional(
            Type.Boolean({ description: 'Revert changes made to managed objects by hand.', default: false }),
          ),
        },
        {
          description:
            'Sync every new revision without waiting for a person. Absent: the environment reports OutOfSync and waits for a sync request.',
        },
      ),
    ),
    allowEmpty: Type.Optional(
      Type.Boolean({
        description: 'Allow a sync that prunes every managed object because synthesis yields nothing.',
        default: false,
      }),
    ),
    ignoreDifferences: Type.Optional(
      Type.Array(IgnoreDifference, { description: 'Fields that do not count as drift.', maxItems: 128 }),
    ),
    options: Type.Optional(
      Type.Array(StringEnum(SYNC_OPTION_VALUES), {
        description:
          'Sync options for every object, as Argo CD writes them (Replace=true, Force=true, CreateNamespace=true, ' +
          "Prune=false, PrunePropagationPolicy=foreground, Validate=false, ...); an object's " +
          'keelson.dev/sync-options (or argocd.argoproj.io/sync-options) annotation wins, option by option.',
        maxItems: 32,
      }),
    ),
    managedNamespaceMetadata: Type.Optional(
      Type.Object(
        {
          labels: Type.Optional(StringMap('Labels of each namespace created.')),
          annotations: Type.Optional(StringMap('Annotations of each namespace created.')),
        },
        { description: 'Labels and annotations of the namespaces CreateNamespace=true creates.' },
      ),
    ),
    windows: Type.Optional(
      Type.Array(EnvironmentSyncWindow, {
        description: 'Allow and deny windows of this Environment; SyncWindow objects add shared ones.',
        maxItems: 32,
      }),
    ),
  },
  { description: 'When and how to sync.' },
);

export const RetryPolicy = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        description: 'How many times a failed automated sync is retried for one revision.',
        minimum: 0,
        maximum: 100,
        default: 5,
      }),
    ),
    backoff: Type.Optional(
      Type.Object(
        {
          duration: Type.Optional(Duration('Delay before the first retry.', '5s')),
          factor: Type.Optional(
            Type.Integer({
              description: 'Each delay is the previous one times this factor.',
              minimum: 1,
              maximum: 10,
              default: 2,
            }),
          ),
          maxDuration: Type.Optional(Duration('The longest delay between retries.', '3m')),
        },
        { description: 'Exponential backoff between retries.' },
      ),
    ),
  },
  { description: 'Retries of a failed automated sync.' },
);

export const PassSecrets = Type.Object(
  {
    sourceRef: LocalObjectReference('The GitRepository holding the pass store.'),
    path: Type.Optional(Type.String({ description: 'Folder of the store inside that repository.', maxLength: 1024 })),
    keySecretRef: Type.Object(
      {
        name: ObjectName('The Secret with the armored GPG private key.'),
        key: Type.Optional(
          Type.String({ description: 'Key of the private key in the Secret.', default: 'private.asc', minLength: 1 }),
        ),
        passphraseKey: Type.Optional(
          Type.String({
            description: 'Key of the passphrase in the Secret, if the private key has one.',
            minLength: 1,
          }),
        ),
      },
      { description: 'Where the private key that decrypts the store is.' },
    ),
  },
  { description: 'A pass password store that PassSecret references resolve from.' },
);

const relativePath = [
  { rule: "!self.startsWith('/')", message: 'must be a path relative to the repository root' },
  { rule: "!self.split('/').exists(p, p == '..')", message: 'must not leave the repository (no .. segments)' },
] as const;

export const ChartRepository = Type.Object(
  {
    url: Type.String({
      description:
        'A Helm chart repository (https://...) or OCI registry path (oci://host/path): applies to every chart whose URL starts with it.',
      minLength: 1,
      maxLength: 2048,
      pattern: '^(https?|oci)://',
    }),
    secretRef: Type.Optional(LocalObjectReference('A Secret with `username` and `password` for it.')),
    plainHTTP: Type.Optional(
      Type.Boolean({
        description: 'Speak plain HTTP to this OCI registry (one inside the cluster network).',
        default: false,
      }),
    ),
  },
  { description: 'How to reach a chart repository or registry the deploy repository names.' },
);

export const NpmRegistry = Type.Object(
  {
    url: Type.String({
      description:
        "An npm registry the deploy repository's .npmrc names (registry= or @scope:registry=): applies to every package URL that starts with it.",
      minLength: 1,
      maxLength: 2048,
      pattern: '^https?://',
    }),
    secretRef: LocalObjectReference("A Secret whose `token` key is the registry's auth token (npm's _authToken)."),
  },
  { description: 'The token for an npm registry a deploy repository installs packages from.' },
);

export const EnvironmentSpec = Type.Object(
  {
    sourceRef: LocalObjectReference('The GitRepository with the deploy repository.'),
    path: Type.Optional(
      withRules(
        Type.String({
          description: 'Folder of the cdk8s app inside the repository.',
          default: '.',
          minLength: 1,
          maxLength: 1024,
        }),
        relativePath,
      ),
    ),
    environment: DnsLabel('Name of the environment the deploy repository builds (for example dev or prod).'),
    targetNamespace: Type.Optional(DnsLabel('Namespace for namespaced objects that do not set one.')),
    sync: Type.Optional(SyncPolicy),
    retry: Type.Optional(RetryPolicy),
    secrets: Type.Optional(
      Type.Object({ pass: Type.Optional(PassSecrets) }, { description: 'Where secret values come from.' }),
    ),
    chartRepositories: Type.Optional(
      Type.Array(ChartRepository, {
        description:
          'Credentials and transport for the Helm chart repositories and OCI registries the deploy repository names; its code never sees them.',
        maxItems: 64,
      }),
    ),
    npmRegistries: Type.Optional(
      Type.Array(NpmRegistry, {
        description:
          'Tokens for the npm registries a deploy repository with its own package.json installs from; its code never sees them.',
        maxItems: 64,
      }),
    ),
    destination: Type.Optional(
      Type.Object(
        {
          secretRef: Type.Object(
            { name: ObjectName("Name of the Secret: the Environment's namespace is looked in first.") },
            {
              description:
                "A Secret labelled keelson.dev/cluster=true with the cluster's kubeconfig (or server, ca.crt and token, or tls.crt and tls.key), in the Environment's namespace or else in the operator's cluster-registration namespace (docs/clusters.md).",
            },
          ),
        },
        {
          description: 'The cluster to apply to, watch and assess. Absent: the cluster the operator runs in.',
        },
      ),
    ),
    serviceAccountName: Type.Optional(
      ObjectName(
        "Apply as this ServiceAccount of the Environment's namespace (impersonation); the environment can touch only what it may.",
      ),
    ),
    suspend: Type.Optional(
      Type.Boolean({ description: 'Stop reconciling. Nothing is applied or pruned while suspended.', default: false }),
    ),
    timeout: Type.Optional(Duration('Time limit for one sync operation, hooks included.', '10m')),
    historyLimit: Type.Optional(
      Type.Integer({
        description: 'How many finished syncs to keep in status.history.',
        minimum: 1,
        maximum: 100,
        default: 10,
      }),
    ),
    deletionPolicy: Type.Optional(
      StringEnum(DELETION_POLICIES, {
        description:
          'What happens to managed objects when the Environment is deleted: Orphan keeps them, Delete deletes them.',
        default: 'Orphan',
      }),
    ),
  },
  { description: 'The desired state: which environment of which repository, and how to sync it.' },
);

export type EnvironmentSpec = Static<typeof EnvironmentSpec>;
export type SyncPolicy = Static<typeof SyncPolicy>;
export type RetryPolicy = Static<typeof RetryPolicy>;
export type PassSecrets = Static<typeof PassSecrets>;
export type ChartRepository = Static<typeof ChartRepository>;
export type IgnoreDifference = Static<typeof IgnoreDifference>;
