// `keelson diff <env>` against the real control plane with nothing but the user's kubeconfig
// (issue 18): no operator runs; the test writes the GitRepository's artifact as the operator
// would, and the CLI fetches it from the test Git server, synthesizes it, and compares it with
// the cluster by a server-side dry-run with the user's own credentials (the harness's admin
// kubeconfig: client certificates, no token). Exit codes as kubectl diff's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import { main } from '../../../operator/src/cli/main.ts';
import { connect } from '../../../operator/src/cli/cluster.ts';
import { localDesiredState } from '../../../operator/src/cli/diff-desired.ts';
import { ResourceMap } from '../../../operator/src/adapters/kubernetes/resource-map.ts';
import { RestTransport } from '../../../operator/src/adapters/kubernetes/rest-transport.ts';
import { SecretRedactor } from '../../../operator/src/core/redact.ts';
import { hasPassRefs } from '../../../operator/src/core/secrets/pass-refs.ts';
import { inventoryEntry } from '../../../operator/src/core/sync/prune-set.ts';
import { loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { createPki } from '../../harness/pki.ts';
import { freePort } from '../../harness/ports.ts';
import { serviceAccountKubeconfig } from '../../harness/service-account.ts';
import { RunningSyncExecutor } from '../../harness/sync-executor.ts';
import { Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
const story = new Story(kc);
const work = mkdtempSync(join(tmpdir(), 'keelson-diff-'));
const env = { ...process.env, KEELSON_CACHE: join(work, 'cache') };

const OLD_PASSWORD = 'old-password-d1ff';
const NEW_PASSWORD = 'new-password-d1ff';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function repoFiles(options: { setting?: string; password?: string; configMap?: boolean } = {}): Record<string, string> {
  const configMap =
    options.configMap === false
      ? ''
      : `new kplus.ConfigMap(app, 'cm', { metadata: { name: 'settings' }, data: { a: '${options.setting ?? 'b'}' } });`;
  return {
    'main.ts': `import { App, PassSecret, defineEnvironments } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-27';
export default defineEnvironments({
  dev: (env) => {
    const app = new App(env, 'api');
    ${configMap}
    new kplus.Secret(app, 's', { metadata: { name: 'creds' }, stringData: { password: '${options.password ?? OLD_PASSWORD}' } });
    new PassSecret(app, 'db', { metadata: { name: 'db' }, data: { password: 'dev/db' } });
  },
});
`,
  };
}

/** A checkout of the deploy repository on disk, for --path. */
function checkout(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'checkout-'));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

async function keelson(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env,
    cwd: REPO_ROOT,
    isTty: false,
  });
  return { code, out, err };
}

const diff = (...args: string[]) => keelson('diff', 'dev', '-n', story.ns, ...args);

/** Writes status.artifact as the operator's GitRepository controller would after fetching main. */
async function publishArtifact(): Promise<void> {
  const commit = (await story.repo.head('main'))!;
  await story.custom.patchNamespacedCustomObjectStatus(
    {
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: story.ns,
      plural: 'gitrepositories',
      name: 'deploy',
      body: { status: { artifact: { revision: `main@sha1:${commit}`, commit, fetchedAt: new Date().toISOString() } } },
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
}

/** Applies the desired state as a sync would (the Environment as owner), and records the inventory. */
async function syncByHand(): Promise<void> {
  const io = { stdout: () => undefined, stderr: () => undefined, env, cwd: REPO_ROOT, isTty: false };
  const cluster = connect({ namespace: story.ns }, io);
  const transport = await RestTransport.fromKubeConfig(kc);
  const environment = await story.environment('dev');
  const desired = await localDesiredState(environment, {
    cluster,
    resourceMap: new ResourceMap(transport),
    redactor: new SecretRedactor({ now: Date.now }),
    io,
  });
  transport.close();
  cluster.resources.close();
  // The PassSecret as the operator would have applied it, resolved (the diff never compares it).
  const applied = desired.objects.map((o) =>
    hasPassRefs(o) ? { ...o, metadata: { ...o.metadata, annotations: {} }, stringData: { password: 'x' } } : o,
  );
  const owner = { namespace: story.ns, name: 'dev' };
  const executor = await RunningSyncExecutor.fromKubeConfig(kc, { owner, persist: async () => undefined });
  const { operation } = await executor.start({
    id: 'by-hand',
    revision: desired.revision,
    desired: applied,
    inventory: [],
    prune: false,
  });
  const done = await executor.run(operation, applied);
  assert.equal(done.phase, 'Succeeded', done.message);
  await story.custom.patchNamespacedCustomObjectStatus(
    {
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: story.ns,
      plural: 'environments',
      name: 'dev',
      body: { status: { inventory: applied.map(inventoryEntry) } },
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
}

function assertNoSecretValue(text: string): void {
  for (const value of [OLD_PASSWORD, NEW_PASSWORD, b64(OLD_PASSWORD), b64(NEW_PASSWORD)])
    assert.ok(!text.includes(value), `no secret value in the output:\n${text}`);
}

/** A kubeconfig like the admin's with another server or CA. */
function kubeconfigWith(name: string, cluster: Record<string, string>): string {
  const user = kc.getCurrentUser()!;
  const path = join(work, `${name}.kubeconfig`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user: { 'client-certificate-data': user.certData, 'client-key-data': user.keyData } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: story.ns } }],
      'current-context': 'c',
    }),
  );
  return path;
}

describe('keelson diff with the user kubeconfig', () => {
  before(async () => {
    await story.setUp({ prefix: 'cli-diff', files: repoFiles(), environments: { dev: {} } });
    await publishArtifact();
  });
  after(async () => {
    await story.tearDown();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows every object as added before anything is applied, with client certificates and no token (exit 1)', async () => {
    const user = kc.getCurrentUser()!;
    assert.ok(user.certData && user.keyData, 'the admin kubeconfig authenticates with a client certificate');
    assert.equal(user.token, undefined, 'and has no token');
    const r = await diff();
    assert.equal(r.code, 1, r.err);
    const target = story.targets.dev!;
    assert.match(r.out, /^# \S+\/dev: live state against main@sha1:[0-9a-f]{40}$/m);
    assert.match(
      r.out,
      new RegExp(
        `--- live ConfigMap ${target}/settings\\n\\+\\+\\+ desired ConfigMap ${target}/settings\\n@@ the object does not exist; the sync creates it @@`,
      ),
    );
    assert.match(r.out, new RegExp(`--- live Secret ${target}/creds`));
    assert.match(
      r.out,
      new RegExp(`^# not compared: Secret ${target}/db: resolved by the operator from the pass store$`, 'm'),
    );
    assert.doesNotMatch(r.out, new RegExp(`--- live Secret ${target}/db`));
    assertNoSecretValue(r.out + r.err);
  });

  it('says "no differences" once the desired state is applied (exit 0)', async () => {
    await syncByHand();
    const r = await diff();
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^# no differences$/m);
  });

  it('shows a hand edit as a change', async () => {
    const target = story.targets.dev!;
    await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: target, body: { data: { a: 'edited' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const r = await diff();
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.out,
      new RegExp(`--- live ConfigMap ${target}/settings\\n\\+\\+\\+ desired ConfigMap ${target}/settings`),
    );
    assert.match(r.out, /@@ \/data\/a @@\n- "?edited"?\n\+ "?b"?/);
    await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: target, body: { data: { a: 'b' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  });

  it('shows that a Secret differs without any of its values', async () => {
    await story.repo.commit(repoFiles({ password: NEW_PASSWORD }), 'rotate the password');
    await publishArtifact();
    const r = await diff();
    assert.equal(r.code, 1, r.err);
    const target = story.targets.dev!;
    assert.match(r.out, new RegExp(`--- live Secret ${target}/creds`));
    assert.match(r.out, /@@ \/data\/password @@\n- <secret>\n\+ <secret, changed>/);
    assert.doesNotMatch(r.out, /ConfigMap/);
    assertNoSecretValue(r.out + r.err);
  });

  it('with --path diffs a checkout, uncommitted changes included, and shows what a prune would delete', async () => {
    const target = story.targets.dev!;
    const changed = await diff('--path', checkout(repoFiles({ setting: 'local' })));
    assert.equal(changed.code, 1, changed.err);
    assert.match(changed.out, /live state against dir:\//);
    assert.match(changed.out, /@@ \/data\/a @@\n- "?b"?\n\+ "?local"?/);
    const dropped = await diff('--path', checkout(repoFiles({ configMap: false, password: OLD_PASSWORD })));
    assert.equal(dropped.code, 1, dropped.err);
    assert.match(
      dropped.out,
      new RegExp(
        `--- live ConfigMap ${target}/settings\\n\\+\\+\\+ desired ConfigMap ${target}/settings\\n@@ no longer desired; the sync prunes it @@`,
      ),
    );
    assert.doesNotMatch(dropped.out, /--- live Secret/);
  });

  it('names the cause when the API server cannot be reached or is not trusted (exit 2)', async () => {
    const closed = await freePort();
    const refused = await diff('--kubeconfig', kubeconfigWith('refused', { server: `https://127.0.0.1:${closed}` }));
    assert.equal(refused.code, 2, refused.err);
    assert.match(
      refused.err,
      new RegExp(`cannot reach the API server \\(https://127\\.0\\.0\\.1:${closed}\\): ECONNREFUSED`),
    );
    const pkiDir = join(work, 'other-pki');
    mkdirSync(pkiDir);
    const other = await createPki(pkiDir);
    const untrusted = await diff(
      '--kubeconfig',
      kubeconfigWith('untrusted', {
        server: kc.getCurrentCluster()!.server,
        'certificate-authority': other.caCert,
      }),
    );
    assert.equal(untrusted.code, 2, untrusted.err);
    assert.match(
      untrusted.err,
      /cannot reach the API server .*: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY): /,
    );
    const server = await diff('--server', `http://127.0.0.1:${closed}`, '--token', 'x');
    assert.equal(server.code, 2, server.err);
    assert.match(server.err, /cannot reach the operator's API \(http:\/\/127\.0\.0\.1:\d+\): ECONNREFUSED/);
    // Through the API server's service proxy: sent with the kubeconfig's CA and client certificate, so the
    // API server itself answers (no operator runs here), and the answer is named.
    const proxy = await diff(
      '--server',
      `${kc.getCurrentCluster()!.server}/api/v1/namespaces/keelson-system/services/http:keelson:http/proxy`,
    );
    assert.equal(proxy.code, 2, proxy.err);
    assert.match(proxy.err, /the operator's API answered HTTP (404|503): /);
    for (const r of [refused, untrusted, server, proxy]) assert.doesNotMatch(r.err, /fetch failed/);
  });

  it('tells a user who may only read which permission is missing', async () => {
    const target = story.targets.dev!;
    const metadata = { name: 'reader' };
    await core.createNamespacedServiceAccount({ namespace: story.ns, body: { metadata } });
    const grant = async (namespace: string, rules: k8s.V1PolicyRule[]) => {
      await rbac.createNamespacedRole({ namespace, body: { metadata, rules } });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata,
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: story.ns }],
        },
      });
    };
    await grant(story.ns, [
      { apiGroups: ['keelson.dev'], resources: ['environments', 'gitrepositories'], verbs: ['get', 'list'] },
    ]);
    await grant(target, [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list'] }]);
    const path = await serviceAccountKubeconfig(kc, {
      namespace: story.ns,
      name: 'reader',
      path: join(work, 'reader.kubeconfig'),
    });
    const noSecret = await diff('--kubeconfig', path);
    assert.equal(noSecret.code, 2, noSecret.err);
    assert.match(noSecret.err, new RegExp(`you may not read Secret ${story.ns}/git .*--path`));
    const noPatch = await diff('--kubeconfig', path, '--path', checkout(repoFiles({ setting: 'local' })));
    assert.equal(noPatch.code, 2, noPatch.out + noPatch.err);
    assert.match(
      noPatch.err,
      new RegExp(
        `ConfigMap ${target}/settings: cannot be compared: you may not patch configmaps in namespace ${target}`,
      ),
    );
    assert.match(noPatch.out, /^# 2 objects could not be compared/m);
    assert.doesNotMatch(noPatch.err, /\n\s+at /, 'no stack trace');
    assertNoSecretValue(noPatch.out + noPatch.err);
  });
});
