// Every way a pass reference can fail, through the running operator: each Environment of the
// example deploy repo stops with SecretsResolved=False, a reason and the pass paths (never a
// value), and nothing of it is applied.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { pushExampleRepo } from '../../harness/example-deploy-repo.ts';
import { GitServer } from '../../harness/git-server.ts';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';
import { GpgHome, PassStoreDir, type GpgKey } from '../../harness/pass-store.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

describe('pass failures through the operator', () => {
  let ns = '';
  const targets: string[] = [];
  let git: GitServer;
  let home: GpgHome;
  let ops: GpgKey;
  let locked: GpgKey;
  let operator: OperatorProcess | undefined;
  let work: string;

  /** A store for `recipients` with `entries` (text, or raw bytes for a corrupt file), pushed as `name`. */
  async function pushStore(
    name: string,
    recipients: GpgKey[],
    entries: Record<string, string | { raw: string }>,
  ): Promise<void> {
    const store = new PassStoreDir(home, join(home.dir, name));
    store.init(recipients);
    for (const [path, content] of Object.entries(entries)) {
      if (typeof content === 'string') store.insert(path, content);
      else store.writeRaw(path, content.raw);
    }
    await git.createRepo(name, {});
    await store.push(git.authenticatedUrl(name));
  }

  async function environment(name: string, store: string, keySecret: string, passphraseKey?: string): Promise<string> {
    const target = await createTestNamespace(kc, `pass-err-${name}`);
    targets.push(target);
    await custom.createNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'environments',
      body: {
        apiVersion: 'keelson.dev/v1alpha1',
        kind: 'Environment',
        metadata: { name },
        spec: {
          sourceRef: { name: 'deploy' },
          environment: 'dev',
          targetNamespace: target,
          sync: { automated: {} },
          secrets: {
            pass: {
              sourceRef: { name: store },
              keySecretRef: { name: keySecret, ...(passphraseKey ? { passphraseKey } : {}) },
            },
          },
        },
      },
    });
    return target;
  }

  /** The SecretsResolved=False condition, once past the wait for the store's first artifact (StoreNotReady). */
  async function secretsResolved(name: string, expected: string): Promise<Condition> {
    let last: Condition | undefined;
    return eventually(
      async () => {
        const env = (await custom.getNamespacedCustomObject({
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'environments',
          name,
        })) as { status?: { conditions?: Condition[] } };
        last = env.status?.conditions?.find((c) => c.type === 'SecretsResolved' && c.status === 'False');
        return last && (last.reason === expected || last.reason !== 'StoreNotReady') ? last : undefined;
      },
      { timeoutMs: 90_000, message: `SecretsResolved=False on ${name} (last: ${JSON.stringify(last)})` },
    );
  }

  async function assertNothingApplied(target: string): Promise<void> {
    assert.deepEqual(
      (await apps.listNamespacedDeployment({ namespace: target })).items.map((d) => d.metadata?.name),
      [],
    );
    assert.deepEqual(
      (await core.listNamespacedSecret({ namespace: target })).items
        .filter((s) => s.type !== 'kubernetes.io/service-account-token')
        .map((s) => s.metadata?.name),
      [],
    );
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'keelson-pass-errors-'));
    home = new GpgHome();
    ops = home.generateKey({ type: 'ed25519', name: 'Ops' });
    locked = home.generateKey({ type: 'rsa', name: 'Locked', passphrase: 'the right one' });
    ns = await createTestNamespace(kc, 'pass-errors');
    git = await GitServer.start();
    await pushExampleRepo(git, 'deploy');
    await pushStore('thin-store', [ops], { 'dev/db': 'only-a-password-3310\n' });
    await pushStore('corrupt-store', [ops], {
      'dev/db': 'fine-pw-4410\nuser: dev_user\n',
      'dev/db-admin': { raw: 'not OpenPGP at all' },
    });
    await pushStore('locked-store', [locked], {
      'dev/db': 'locked-pw-5510\nuser: dev_user\n',
      'dev/db-admin': 'locked-admin-5511\nuser: admin\n',
    });
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'git' },
        stringData: { username: git.credentials.username, password: git.credentials.password },
      },
    });
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'ops-key' }, stringData: { 'private.asc': ops.privateKey } },
    });
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'locked-key' },
        stringData: { 'private.asc': locked.privateKey, passphrase: 'a wrong one' },
      },
    });
    const repo = (name: string, url: string) =>
      custom.createNamespacedCustomObject({
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'gitrepositories',
        body: {
          apiVersion: 'keelson.dev/v1alpha1',
          kind: 'GitRepository',
          metadata: { name },
          spec: { url, insecure: true, secretRef: { name: 'git' }, interval: '10s' },
        },
      });
    await repo('deploy', git.url('deploy'));
    for (const store of ['thin-store', 'corrupt-store', 'locked-store']) await repo(store, git.url(store));
    await repo('gone-store', git.url('no-such-repository'));
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      cacheDir: join(work, 'cache'),
      args: [`--namespaces=${ns}`],
    });
    await operator.start();
  });

  after(async () => {
    await operator?.stop();
    await git?.stop();
    home?.dispose();
    for (const n of [ns, ...targets]) await deleteNamespace(kc, n);
    rmSync(work, { recursive: true, force: true });
  });

  const cases: {
    name: string;
    store: string;
    key: string;
    passphraseKey?: string;
    reason: string;
    message: RegExp[];
  }[] = [
    {
      name: 'missing',
      store: 'thin-store',
      key: 'ops-key',
      reason: 'SecretsUnresolved',
      message: [/NoSuchField: pass entry "dev\/db": no field "user"/, /NoSuchEntry: pass entry "dev\/db-admin"/],
    },
    {
      name: 'corrupt',
      store: 'corrupt-store',
      key: 'ops-key',
      reason: 'CorruptEntry',
      message: [/CorruptEntry: pass entry "dev\/db-admin"/],
    },
    {
      name: 'passphrase',
      store: 'locked-store',
      key: 'locked-key',
      passphraseKey: 'passphrase',
      reason: 'WrongPassphrase',
      message: [/passphrase does not unlock/],
    },
    { name: 'unreachable', store: 'gone-store', key: 'ops-key', reason: 'StoreNotReady', message: [/gone-store/] },
  ];
  for (const c of cases) {
    it(`${c.name}: SecretsResolved=False (${c.reason}) names what failed, and nothing is applied`, async () => {
      const target = await environment(c.name, c.store, c.key, c.passphraseKey);
      const condition = await secretsResolved(c.name, c.reason);
      assert.equal(condition.reason, c.reason, condition.message);
      for (const m of c.message) assert.match(condition.message, m);
      await assertNothingApplied(target);
    });
  }

  it('no value of any of those stores is in the operator logs or the Environments', async () => {
    const envs = JSON.stringify(
      await custom.listNamespacedCustomObject({
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'environments',
      }),
    );
    const events = JSON.stringify((await core.listNamespacedEvent({ namespace: ns })).items);
    for (const value of [
      'only-a-password-3310',
      'fine-pw-4410',
      'locked-pw-5510',
      'locked-admin-5511',
      'the right one',
      'a wrong one',
    ]) {
      for (const [where, text] of [
        ['logs', operator!.logs()],
        ['Environments', envs],
        ['events', events],
      ] as const) {
        assert.ok(
          !text.includes(value) && !text.includes(Buffer.from(value).toString('base64')),
          `${where} contain ${value}`,
        );
      }
    }
  });
});
