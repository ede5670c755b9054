// The generated CRDs, installed in the real API server: invalid objects are rejected with
// a message that names the field, valid ones are accepted and defaulted, and
// `kubectl get environments` is a dashboard.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { apiErrorMessage, createTestNamespace, deleteNamespace, loadKubeConfig } from '../harness/kube.ts';

const run = promisify(execFile);
const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
let ns = '';

type Kind = 'GitRepository' | 'Environment' | 'SyncWindow';
const plural: Record<Kind, string> = {
  GitRepository: 'gitrepositories',
  Environment: 'environments',
  SyncWindow: 'syncwindows',
};

function create(kind: Kind, name: string, spec: unknown): Promise<Record<string, unknown>> {
  return custom.createNamespacedCustomObject({
    group: 'keelson.dev',
    version: 'v1alpha1',
    namespace: ns,
    plural: plural[kind],
    body: { apiVersion: 'keelson.dev/v1alpha1', kind, metadata: { name }, spec },
  }) as Promise<Record<string, unknown>>;
}

const repo = { url: 'https://git.example.com/team/deploy.git' };
const env = { sourceRef: { name: 'deploy' }, environment: 'dev' };

const invalid: { name: string; kind: Kind; spec: unknown; field: RegExp }[] = [
  {
    name: 'a sync window schedule of four fields',
    kind: 'Environment',
    spec: { ...env, sync: { windows: [{ kind: 'deny', schedule: '0 17 * *', duration: '1h' }] } },
    field: /spec\.sync\.windows\[0\]\.schedule: Invalid value/,
  },
  {
    name: 'a SyncWindow of an unknown kind',
    kind: 'SyncWindow',
    spec: { kind: 'block', schedule: '0 17 * * fri', duration: '1h' },
    field: /spec\.kind: Unsupported value: "block"/,
  },
  {
    name: 'a SyncWindow duration in words',
    kind: 'SyncWindow',
    spec: { kind: 'deny', schedule: '@daily', duration: 'one hour', timeZone: 'Europe/Berlin' },
    field: /spec\.duration: Invalid value/,
  },
  {
    name: 'a SyncWindow time zone with spaces',
    kind: 'SyncWindow',
    spec: { kind: 'deny', schedule: '@daily', duration: '1h', timeZone: 'Central European Time' },
    field: /spec\.timeZone: Invalid value/,
  },
  { name: 'git repository without a URL', kind: 'GitRepository', spec: {}, field: /spec\.url: Required value/ },
  {
    name: 'git URL that is not http(s)',
    kind: 'GitRepository',
    spec: { url: 'ssh://git@example.com/r.git', insecure: true },
    field: /spec\.url: Invalid value/,
  },
  {
    name: 'plain http without insecure',
    kind: 'GitRepository',
    spec: { url: 'http://git.example.com/r.git' },
    field: /spec\.url: Invalid value.*https:\/\/ unless spec\.insecure is true/,
  },
  {
    name: 'two refs at once',
    kind: 'GitRepository',
    spec: { ...repo, ref: { branch: 'main', tag: 'v1' } },
    field: /spec\.ref: Invalid value.*exactly one of branch, tag, semver or commit/,
  },
  {
    name: 'short commit id',
    kind: 'GitRepository',
    spec: { ...repo, ref: { commit: 'abc123' } },
    field: /spec\.ref\.commit: Invalid value/,
  },
  {
    name: 'interval in words',
    kind: 'GitRepository',
    spec: { ...repo, interval: 'five minutes' },
    field: /spec\.interval: Invalid value/,
  },
  {
    name: 'empty semver range',
    kind: 'GitRepository',
    spec: { ...repo, ref: { semver: '' } },
    field: /spec\.ref\.semver: Invalid value/,
  },
  {
    name: 'secretRef without a name',
    kind: 'GitRepository',
    spec: { ...repo, secretRef: {} },
    field: /spec\.secretRef\.name: Required value/,
  },
  {
    name: 'environment without sourceRef',
    kind: 'Environment',
    spec: { environment: 'dev' },
    field: /spec\.sourceRef: Required value/,
  },
  {
    name: 'environment without an environment name',
    kind: 'Environment',
    spec: { sourceRef: { name: 'deploy' } },
    field: /spec\.environment: Required value/,
  },
  {
    name: 'environment name in capitals',
    kind: 'Environment',
    spec: { ...env, environment: 'Prod' },
    field: /spec\.environment: Invalid value: "Prod"/,
  },
  {
    name: 'absolute path',
    kind: 'Environment',
    spec: { ...env, path: '/etc' },
    field: /spec\.path: Invalid value.*relative to the repository root/,
  },
  {
    name: 'path leaving the repository',
    kind: 'Environment',
    spec: { ...env, path: 'apps/../../x' },
    field: /spec\.path: Invalid value.*no \.\. segments/,
  },
  {
    name: 'negative retry limit',
    kind: 'Environment',
    spec: { ...env, retry: { limit: -1 } },
    field: /spec\.retry\.limit: Invalid value: -1/,
  },
  {
    name: 'unknown deletion policy',
    kind: 'Environment',
    spec: { ...env, deletionPolicy: 'Destroy' },
    field: /spec\.deletionPolicy: Unsupported value: "Destroy"/,
  },
  {
    name: 'invalid target namespace',
    kind: 'Environment',
    spec: { ...env, targetNamespace: 'Team_A' },
    field: /spec\.targetNamespace: Invalid value: "Team_A"/,
  },
  {
    name: 'history limit of zero',
    kind: 'Environment',
    spec: { ...env, historyLimit: 0 },
    field: /spec\.historyLimit: Invalid value: 0/,
  },
  {
    name: 'pass secrets without a key',
    kind: 'Environment',
    spec: { ...env, secrets: { pass: { sourceRef: { name: 'store' } } } },
    field: /spec\.secrets\.pass\.keySecretRef: Required value/,
  },
  {
    name: 'ignore rule without pointers',
    kind: 'Environment',
    spec: { ...env, sync: { ignoreDifferences: [{ kind: 'Deployment', jsonPointers: [] }] } },
    field: /spec\.sync\.ignoreDifferences\[0\]\.jsonPointers: Invalid value/,
  },
  {
    name: 'self-heal that is not a boolean',
    kind: 'Environment',
    spec: { ...env, sync: { automated: { selfHeal: 'yes' } } },
    field: /spec\.sync\.automated\.selfHeal: Invalid value: "string"/,
  },
];

describe('keelson.dev CRDs', () => {
  before(async () => {
    ns = await createTestNamespace(kc, 'crds');
  });
  after(async () => {
    await deleteNamespace(kc, ns);
  });

  for (const [i, c] of invalid.entries()) {
    it(`rejects ${c.name}, naming the field`, async () => {
      const err = await create(c.kind, `invalid-${i}`, c.spec).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err, 'the API server accepted an invalid object');
      assert.ok(err instanceof k8s.ApiException);
      assert.equal(err.code, 422);
      assert.match(apiErrorMessage(err), c.field);
    });
  }

  it('accepts valid objects and fills in the defaults', async () => {
    const r = await create('GitRepository', 'deploy', { ...repo, ref: { branch: 'main' } });
    const rs = r.spec as Record<string, unknown>;
    assert.equal(rs.interval, '1m');
    assert.equal(rs.timeout, '60s');
    await create('GitRepository', 'local', {
      url: 'http://127.0.0.1:8080/deploy.git',
      insecure: true,
      ref: { semver: '>=1.0.0' },
    });
    const dev = await create('Environment', 'dev', { ...env, sync: { automated: { prune: true, selfHeal: true } } });
    const ds = dev.spec as Record<string, unknown>;
    assert.equal(ds.path, '.');
    assert.equal(ds.deletionPolicy, 'Orphan');
    assert.equal(ds.historyLimit, 10);
    assert.deepEqual(ds.sync, { automated: { prune: true, selfHeal: true }, allowEmpty: false });
    await create('Environment', 'prod', {
      ...env,
      environment: 'prod',
      path: 'deploy/app',
      targetNamespace: 'shop',
      retry: { limit: 3, backoff: { duration: '10s', factor: 3, maxDuration: '5m' } },
      secrets: { pass: { sourceRef: { name: 'store' }, keySecretRef: { name: 'gpg', passphraseKey: 'passphrase' } } },
    });
  });

  it('shows SYNC, HEALTH, REVISION and AGE in kubectl get environments', async () => {
    await custom.patchNamespacedCustomObjectStatus(
      {
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'environments',
        name: 'dev',
        body: {
          status: {
            sync: { status: 'Synced', revision: 'main@sha1:0123456789abcdef0123456789abcdef01234567' },
            health: { status: 'Healthy' },
          },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const { stdout } = await run('kubectl', ['get', 'environments', '-n', ns], { env: process.env });
    const [header, ...rows] = stdout.trim().split('\n');
    assert.deepEqual(header?.split(/\s+/), ['NAME', 'SYNC', 'HEALTH', 'REVISION', 'AGE']);
    const dev = rows.find((r) => r.startsWith('dev '))?.split(/\s+/);
    assert.deepEqual(dev?.slice(0, 4), [
      'dev',
      'Synced',
      'Healthy',
      'main@sha1:0123456789abcdef0123456789abcdef01234567',
    ]);
    const { stdout: short } = await run('kubectl', ['get', 'kenv,kgit', '-n', ns, '-o', 'name'], { env: process.env });
    assert.match(short, /environment\.keelson\.dev\/prod/);
    assert.match(short, /gitrepository\.keelson\.dev\/deploy/);
  });

  it('rejects a status that breaks the schema', async () => {
    const err = await custom
      .patchNamespacedCustomObjectStatus(
        {
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'environments',
          name: 'prod',
          body: { status: { sync: { status: 'Sort of synced' } } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.match(apiErrorMessage(err), /status\.sync\.status: Unsupported value: "Sort of synced"/);
  });
});
