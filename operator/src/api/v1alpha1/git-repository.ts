// GitRepository: where Keelson fetches a deploy repository (or a pass store) from.
// One fetch and one object cache per repository, shared by every Environment using it.
import {
  Conditions,
  Duration,
  LocalObjectReference,
  ObservedGeneration,
  Timestamp,
  Type,
  withRules,
  type Static,
} from './schema.ts';

export const GitRepositoryRef = withRules(
  Type.Object(
    {
      branch: Type.Optional(
        Type.String({ description: 'Follow the head of this branch.', minLength: 1, maxLength: 255 }),
      ),
      tag: Type.Optional(Type.String({ description: 'Use this tag.', minLength: 1, maxLength: 255 })),
      semver: Type.Optional(
        Type.String({
          description: 'Use the highest tag matching this semver range, e.g. ">=1.2.0 <2.0.0".',
          minLength: 1,
          maxLength: 255,
        }),
      ),
      commit: Type.Optional(
        Type.String({ description: 'Use exactly this commit (40 hex digits).', pattern: '^[0-9a-f]{40}$' }),
      ),
    },
    {
      description: 'Which revision to use. Exactly one of branch, tag, semver or commit; the default is branch "main".',
    },
  ),
  [
    {
      rule: '[has(self.branch), has(self.tag), has(self.semver), has(self.commit)].filter(x, x).size() <= 1',
      message: 'spec.ref takes exactly one of branch, tag, semver or commit',
    },
  ],
);

export const GitRepositorySpec = withRules(
  Type.Object(
    {
      url: Type.String({
        description: 'Repository URL (smart HTTP): https://host/org/repo.git.',
        minLength: 1,
        maxLength: 2048,
        pattern: '^https?://[^\\s]+$',
      }),
      insecure: Type.Optional(
        Type.Boolean({ description: 'Allow a plain http:// URL. Use only on a trusted network.', default: false }),
      ),
      ref: Type.Optional(GitRepositoryRef),
      interval: Type.Optional(
        Duration('How often to check the remote for a new revision when no webhook arrives.', '1m'),
      ),
      timeout: Type.Optional(Duration('Time limit for one Git operation.', '60s')),
      secretRef: Type.Optional(
        LocalObjectReference(
          'A Secret with `username` and `password` (or a token as `password`), and optionally `ca.crt`, a PEM CA bundle for the server.',
        ),
      ),
      webhookSecretRef: Type.Optional(
        LocalObjectReference('A Secret whose `token` authenticates webhook calls for this repository.'),
      ),
      suspend: Type.Optional(
        Type.Boolean({ description: 'Stop fetching. The last artifact stays in use.', default: false }),
      ),
    },
    { description: 'Where to fetch from and how often.' },
  ),
  [
    {
      rule: "self.url.startsWith('https://') || (has(self.insecure) && self.insecure)",
      message: 'spec.url must use https:// unless spec.insecure is true',
      fieldPath: '.url',
    },
  ],
);

export const Artifact = Type.Object(
  {
    revision: Type.String({
      description: 'The fetched revision, as <ref>@sha1:<commit>.',
      pattern: '^.+@sha1:[0-9a-f]{40}$',
    }),
    commit: Type.String({ description: 'The commit id.', pattern: '^[0-9a-f]{40}$' }),
    fetchedAt: Timestamp('When the artifact was fetched.'),
  },
  { description: 'The last successfully fetched revision. It stays in use while later fetches fail.' },
);

export const GitRepositoryStatus = Type.Object(
  {
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(Conditions),
    artifact: Type.Optional(Artifact),
    lastHandledRefreshAt: Type.Optional(
      Type.String({ description: 'The last keelson.dev/refresh-requested-at token handled.' }),
    ),
  },
  { description: 'The observed state of the repository.' },
);

export type GitRepositoryRef = Static<typeof GitRepositoryRef>;
export type GitRepositorySpec = Static<typeof GitRepositorySpec>;
export type GitRepositoryStatus = Static<typeof GitRepositoryStatus>;
export type Artifact = Static<typeof Artifact>;
