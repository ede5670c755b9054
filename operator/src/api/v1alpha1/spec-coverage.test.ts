// Issue 18: every field of both CRDs' spec must do what its description says, and a test must
// fail if the field is ignored. This walks every field of each spec schema (the one source of
// the CRDs in crds/) and checks that the table below names, for each, a test that exercises it:
// the file must exist and hold a test with that title. A field added to the schema without an
// entry here fails, naming the field.
//
// A field is a property that is not an object with properties (a scalar, or an array of
// scalars), or an object whose description says what its absence does ("Absent: ..."): its
// presence alone is a setting. Arrays of objects are walked through their items, as `name[]`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definitions } from '../index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

interface Proof {
  /** Repository-relative path of the test file. */
  readonly file: string;
  /** The title as written in the source, inside it('…'), it("…") or it(`…`). */
  readonly test: string;
  /** For a table-driven test: text of the case that exercises the field (e.g. "name: 'passphrase'"). */
  readonly case?: string;
}

const E2E = 'test/e2e';
const proofs: Record<string, Record<string, Proof>> = {
  GitRepository: {
    'spec.url': {
      file: `${E2E}/git/git-repository.test.ts`,
      test: 'stores an artifact in status and reports Ready with the revision',
    },
    // spec.insecure is enforced by the API server (the CEL rule on spec): http:// is refused without it.
    'spec.insecure': {
      file: `${E2E}/crds.test.ts`,
      test: 'rejects ${c.name}, naming the field',
      case: "name: 'plain http without insecure'",
    },
    'spec.ref.branch': {
      file: `${E2E}/git/git-repository-spec.test.ts`,
      test: 'spec.ref.branch follows that branch, not main',
    },
    'spec.ref.tag': { file: `${E2E}/git/git-repository-spec.test.ts`, test: 'spec.ref.tag uses that tag' },
    'spec.ref.semver': {
      file: `${E2E}/git/git-repository-spec.test.ts`,
      test: 'spec.ref.semver uses the highest tag in the range',
    },
    'spec.ref.commit': {
      file: `${E2E}/git/git-repository-spec.test.ts`,
      test: 'spec.ref.commit uses exactly that commit',
    },
    'spec.interval': {
      file: `${E2E}/git/git-repository.test.ts`,
      test: 'polls every spec.interval and follows a force-push',
    },
    'spec.timeout': {
      file: `${E2E}/git/git-repository-spec.test.ts`,
      test: 'spec.timeout ends a Git operation on a slow server: Timeout at 1s, while the default 60s waits it out',
    },
    'spec.secretRef.name': {
      file: `${E2E}/git/git-repository.test.ts`,
      test: 'keeps the last good artifact and says why when the credentials turn wrong',
    },
    'spec.webhookSecretRef.name': {
      file: `${E2E}/api/api.test.ts`,
      test: 'refreshes the GitRepository named by a GitHub push signed with its webhook token',
    },
    'spec.suspend': { file: `${E2E}/git/git-repository.test.ts`, test: 'does nothing while suspended' },
  },
  Environment: {
    'spec.sourceRef.name': {
      file: `${E2E}/operator/gitops-story.test.ts`,
      test: 'syncs dev by itself, with its secrets from pass, while prod only reports OutOfSync',
    },
    'spec.path': {
      file: `${E2E}/operator/environment-spec.test.ts`,
      test: 'spec.path: synthesizes the app in that folder of the repository',
    },
    'spec.environment': {
      file: `${E2E}/operator/gitops-story.test.ts`,
      test: 'reports a new prod tag as OutOfSync, naming the field, and applies it only when asked',
    },
    'spec.targetNamespace': {
      file: `${E2E}/operator/gitops-story.test.ts`,
      test: 'syncs dev by itself, with its secrets from pass, while prod only reports OutOfSync',
    },
    'spec.sync.automated': {
      file: `${E2E}/operator/gitops-story.test.ts`,
      test: 'syncs dev by itself, with its secrets from pass, while prod only reports OutOfSync',
    },
    'spec.sync.automated.prune': {
      file: `${E2E}/operator/gitops-story.test.ts`,
      test: 'prunes an app removed from dev, and only from dev',
    },
    'spec.sync.automated.selfHeal': {
      file: `${E2E}/operator/gitops-story.test.ts`,
      test: 'reverts a hand edit to a dev Deployment within seconds (self-heal)',
    },
    'spec.sync.options': {
      file: `${E2E}/sync/sync-options.test.ts`,
      test: 'an immutable change fails naming the field and the fix; Force=true (Argo CD annotation) re-creates it',
    },
    ...Object.fromEntries(
      ['labels', 'annotations'].map((f) => [
        `spec.sync.managedNamespaceMetadata.${f}`,
        {
          file: `${E2E}/sync/sync-options.test.ts`,
          test: 'CreateNamespace=true creates the namespace nobody declares, with the managed metadata',
        },
      ]),
    ),
    // Sync windows: dev's allow window (name in the reason, Berlin time in nextChange, manualSync lets a person
    // sync); broken's duration stalls it, naming the field.
    ...Object.fromEntries(
      ['name', 'kind', 'schedule', 'timeZone', 'manualSync'].map((f) => [
        `spec.sync.windows[].${f}`,
        {
          file: `${E2E}/operator/sync-windows.test.ts`,
          test: 'an allow window with manualSync holds automated syncs outside it but lets a person sync',
        },
      ]),
    ),
    'spec.sync.windows[].duration': {
      file: `${E2E}/operator/sync-windows.test.ts`,
      test: 'a window the operator cannot evaluate stalls the Environment, naming the field',
    },
    // The pure decision (reconcile-run passes spec.sync.allowEmpty to it); the refusal without it, end to end, in crd-lifecycle.
    'spec.sync.allowEmpty': {
      file: 'operator/src/core/sync/prune-set.test.ts',
      test: 'prunes everything for an empty desired state when the Environment allows it',
    },
    ...Object.fromEntries(
      ['group', 'kind', 'name', 'namespace', 'jsonPointers'].map((f) => [
        `spec.sync.ignoreDifferences[].${f}`,
        {
          file: `${E2E}/operator/environment-spec.test.ts`,
          test: 'spec.sync.ignoreDifferences: a hand edit of an ignored field stays, the same edit elsewhere is healed',
        },
      ]),
    ),
    'spec.retry.limit': {
      file: `${E2E}/operator/failed-sync-status.test.ts`,
      test: "an immutable field changed: OutOfSync with the server's words, the sync failed three times, three counted SyncFailed events",
    },
    // The pure code that turns spec.retry into delays (reconcile-run passes resolveRetry(spec.retry)).
    'spec.retry.backoff.duration': {
      file: 'operator/src/core/environment/environment.test.ts',
      test: 'grows by the factor up to the maximum',
    },
    'spec.retry.backoff.factor': {
      file: 'operator/src/core/environment/environment.test.ts',
      test: 'grows by the factor up to the maximum',
    },
    'spec.retry.backoff.maxDuration': {
      file: 'operator/src/core/environment/environment.test.ts',
      test: 'grows by the factor up to the maximum',
    },
    'spec.secrets.pass.sourceRef.name': {
      file: `${E2E}/pass/operator-errors.test.ts`,
      test: '${c.name}: SecretsResolved=False (${c.reason}) names what failed, and nothing is applied',
      case: "name: 'unreachable'",
    },
    // The pass store reads under its root (pass-secrets.ts passes spec.secrets.pass.path as root).
    'spec.secrets.pass.path': {
      file: 'operator/src/adapters/pass/pass-store.test.ts',
      test: 'reads an entry by its pass path under the store root',
    },
    'spec.secrets.pass.keySecretRef.name': {
      file: `${E2E}/pass/leak.test.ts`,
      test: 'a key that is not a recipient sets SecretsResolved=False naming the pass paths, and nothing of that environment is applied',
    },
    'spec.secrets.pass.keySecretRef.key': {
      file: 'operator/src/adapters/pass/key-secret.test.ts',
      test: 'reads a key under another name, from stringData too',
    },
    'spec.secrets.pass.keySecretRef.passphraseKey': {
      file: `${E2E}/pass/operator-errors.test.ts`,
      test: '${c.name}: SecretsResolved=False (${c.reason}) names what failed, and nothing is applied',
      case: "passphraseKey: 'passphrase'",
    },
    'spec.chartRepositories[].url': {
      file: `${E2E}/operator/charts.test.ts`,
      test: "syncs the chart with the Secret's credentials, the overlay and the YAML file",
    },
    'spec.chartRepositories[].secretRef.name': {
      file: `${E2E}/operator/charts.test.ts`,
      test: "syncs the chart with the Secret's credentials, the overlay and the YAML file",
    },
    // The renderer's plain-HTTP OCI access (chart-access.ts maps spec.chartRepositories[].plainHTTP to it).
    'spec.chartRepositories[].plainHTTP': {
      file: `${E2E}/synth/charts-and-manifests.test.ts`,
      test: 'an OCI chart renders from the registry',
    },
    'spec.destination': {
      file: `${E2E}/operator/other-clusters.test.ts`,
      test: 'spec.destination: applies prod on the cluster its Secret names, and dev on the operator’s own',
    },
    'spec.destination.secretRef.name': {
      file: `${E2E}/operator/other-clusters.test.ts`,
      test: 'keelson cluster remove refuses while prod uses the cluster, unless --force',
    },
    'spec.npmRegistries[].url': {
      file: `${E2E}/operator/npm-dependencies.test.ts`,
      test: "installs the lockfile with the Secret's token and syncs what the packages make",
    },
    'spec.npmRegistries[].secretRef.name': {
      file: `${E2E}/operator/npm-dependencies.test.ts`,
      test: "installs the lockfile with the Secret's token and syncs what the packages make",
    },
    'spec.serviceAccountName': {
      file: `${E2E}/operator/operations-end.test.ts`,
      test: 'fails an operation whose step keeps throwing at spec.timeout, naming the step and why, and syncs the next revision',
    },
    'spec.suspend': {
      file: `${E2E}/operator/environment-spec.test.ts`,
      test: 'spec.suspend: applies nothing while suspended, and syncs once resumed',
    },
    'spec.timeout': {
      file: `${E2E}/operator/operation-timeout.test.ts`,
      test: 'fails an operation whose hook Job never finishes after spec.timeout, not after the default 10 minutes',
    },
    'spec.historyLimit': {
      file: `${E2E}/operator/environment-spec.test.ts`,
      test: 'spec.historyLimit: status.history keeps only that many finished syncs',
    },
    'spec.deletionPolicy': {
      file: `${E2E}/operator/gitops-story.test.ts`,
      test: 'deletes an Environment: Orphan (the default) keeps what it manages, Delete removes it',
    },
  },
  Notification: {
    // The Notifications of providers.test.ts name dev; its webhook selects dev and prod by label.
    'spec.environments.names': {
      file: `${E2E}/notifications/providers.test.ts`,
      test: 'tells every provider of the dev sync once, with the environment, the revision and the UI link',
    },
    'spec.environments.matchLabels': {
      file: `${E2E}/notifications/providers.test.ts`,
      test: 'prod waiting for a manual sync is told to the label-selected webhook, signed with HMAC-SHA256',
    },
    // Unsubscribed triggers are marked handled, not sent (the e2e: only SyncSucceeded reaches Slack).
    'spec.triggers': {
      file: 'operator/src/core/notify/triggers.test.ts',
      test: 'an unsubscribed trigger is marked handled silently',
    },
    'spec.provider.type': {
      file: `${E2E}/notifications/bad-input.test.ts`,
      test: 'an unknown provider: Ready=False UnknownProvider, and the Environment syncs all the same',
    },
    ...Object.fromEntries(
      ['address', 'channel', 'repository', 'secretRef.name'].map((f) => [
        `spec.provider.${f}`,
        {
          file: `${E2E}/notifications/providers.test.ts`,
          test: 'tells every provider of the dev sync once, with the environment, the revision and the UI link',
        },
      ]),
    ),
    'spec.templates': {
      file: `${E2E}/notifications/providers.test.ts`,
      test: 'tells every provider of the dev sync once, with the environment, the revision and the UI link',
    },
    'spec.suspend': {
      file: `${E2E}/notifications/bad-input.test.ts`,
      test: 'spec.suspend: a suspended Notification sends nothing',
    },
  },
  // prod's freeze: a deny window in Asia/Kolkata selected by label, whose close time status reports.
  SyncWindow: {
    ...Object.fromEntries(
      ['kind', 'schedule', 'duration', 'timeZone', 'selector', 'selector.matchLabels'].map((f) => [
        `spec.${f}`,
        {
          file: `${E2E}/operator/sync-windows.test.ts`,
          test: 'a deny SyncWindow holds the automated sync of the Environments it selects and says until when',
        },
      ]),
    ),
    'spec.manualSync': {
      file: `${E2E}/operator/sync-windows.test.ts`,
      test: 'manualSync on the SyncWindow lets a person sync during the freeze',
    },
  },
};

interface SchemaNode {
  readonly type?: string;
  readonly description?: string;
  readonly properties?: Record<string, SchemaNode>;
  readonly items?: SchemaNode;
}

/** Every field path under `node`, with its description. */
export function specFields(node: SchemaNode, path = 'spec'): { path: string; description?: string }[] {
  const out: { path: string; description?: string }[] = [];
  for (const [name, prop] of Object.entries(node.properties ?? {})) {
    const at = `${path}.${name}`;
    const inner = prop.type === 'array' && prop.items ? prop.items : prop;
    // A map (no properties of its own, only additionalProperties) is one field.
    if (!inner.properties || Object.keys(inner.properties).length === 0) {
      out.push({ path: at, description: prop.description });
      continue;
    }
    if (/\bAbsent:/.test(prop.description ?? '')) out.push({ path: at, description: prop.description });
    out.push(...specFields(inner, inner === prop ? at : `${at}[]`));
  }
  return out;
}

const sources = new Map<string, string | undefined>();
function source(file: string): string | undefined {
  if (!sources.has(file)) {
    const path = join(root, file);
    sources.set(file, existsSync(path) ? readFileSync(path, 'utf8') : undefined);
  }
  return sources.get(file);
}

for (const def of definitions) {
  describe(`${def.kind} spec: every field has a test that fails if it is ignored`, () => {
    const fields = specFields(def.spec as SchemaNode);
    const table = proofs[def.kind] ?? {};

    it('finds the fields in the schema', () => assert.ok(fields.length > 5, JSON.stringify(fields)));

    it('every field has a description that says what it does', () => {
      const bare = fields.filter((f) => !f.description).map((f) => f.path);
      assert.deepEqual(bare, [], `${def.kind} fields without a description`);
    });

    it('every field is claimed by a test', () => {
      const missing = fields.map((f) => f.path).filter((p) => !(p in table));
      assert.deepEqual(
        missing,
        [],
        `${def.kind} ${missing.join(', ')}: no test claims ${missing.length === 1 ? 'this field' : 'these fields'}. ` +
          'Write a test that fails when the field is ignored and name it in the table of ' +
          'operator/src/api/v1alpha1/spec-coverage.test.ts.',
      );
    });

    it('the table names only fields the schema has', () => {
      const known = new Set(fields.map((f) => f.path));
      assert.deepEqual(
        Object.keys(table).filter((p) => !known.has(p)),
        [],
        `entries of the ${def.kind} table for fields the schema no longer has: remove them`,
      );
    });

    for (const [field, proof] of Object.entries(table)) {
      it(`${field}: ${proof.file} has the test that proves it`, () => {
        const text = source(proof.file);
        assert.ok(text !== undefined, `${field}: ${proof.file} does not exist`);
        const titled = ["'", '"', '`'].some((q) => text.includes(`it(${q}${proof.test}${q}`));
        assert.ok(titled, `${field}: ${proof.file} has no test titled "${proof.test}"`);
        if (proof.case) assert.ok(text.includes(proof.case), `${field}: ${proof.file} has no case ${proof.case}`);
      });
    }
  });
}
