// The web UI's GitRepository endpoints in the operator process against the real control
// plane: the list filtered by RBAC (list on gitrepositories per namespace), the stream of one
// repository with the Environments using it, what the caller may do, refresh, suspend and
// resume (verb patch), and never a Secret value. The repository's URL refuses connections,
// so its fetch fails and the failure's message is what the row shows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { openStream, serviceAccountWith, type SseReader } from './ui-fixtures.ts';

const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const core = kc.makeApiClient(k8s.CoreV1Api);
const SECRET_VALUE = 'git-api-s3cret-value-91c2';
let nsA = '';
let nsB = '';
let base = '';
let operator: OperatorProcess;
const sessions: Record<string, { cookie: string; csrf: string }> = {};
/** Every response body, to look for a Secret value in the end. */
const seen: string[] = [];

interface View {
  gitRepository: { spec: { secretRef?: { name: string }; suspend?: boolean } };
  row: { fetchFailed?: string; suspend: boolean };
  environments?: { name: string }[];
}

const create = (namespace: string, plural: string, kind: string, name: string, spec: object) =>
  custom.createNamespacedCustomObject({
    group: 'keelson.dev',
    version: 'v1alpha1',
    namespace,
    plural,
    body: { apiVersion: 'keelson.dev/v1alpha1', kind, metadata: { name }, spec },
  });
const repoObject = async () =>
  (await custom.getNamespacedCustomObject({
    group: 'keelson.dev',
    version: 'v1alpha1',
    namespace: nsA,
    plural: 'gitrepositories',
    name: 'deploy',
  })) as { metadata: { annotations?: Record<string, string> }; spec: { suspend?: boolean } };

async function as(user: string, method: string, path: string) {
  const headers: Record<string, string> = { cookie: sessions[user]!.cookie, 'x-keelson-csrf': sessions[user]!.csrf };
  const res = await fetch(`${base}${path}`, { method, headers });
  const text = await res.text();
  seen.push(text);
  return { status: res.status, text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const repoPath = (sub: string) => `/api/v1/namespaces/${nsA}/gitrepositories/deploy/${sub}`;

describe('web UI GitRepository endpoints', () => {
  before(async () => {
    nsA = await createTestNamespace(kc, 'ui-git-a');
    nsB = await createTestNamespace(kc, 'ui-git-b');
    await core.createNamespacedSecret({
      namespace: nsA,
      body: { metadata: { name: 'git-credentials' }, stringData: { username: 'git', password: SECRET_VALUE } },
    });
    const spec = { url: 'https://127.0.0.1:1/deploy.git', secretRef: { name: 'git-credentials' }, interval: '10m' };
    await create(nsA, 'gitrepositories', 'GitRepository', 'deploy', spec);
    await create(nsB, 'gitrepositories', 'GitRepository', 'hidden', spec);
    for (const [name, source] of [
      ['prod', 'deploy'],
      ['dev', 'deploy'],
      ['other', 'absent'],
    ] as const)
      await create(nsA, 'environments', 'Environment', name, { sourceRef: { name: source }, environment: name });
    const envs = { apiGroups: ['keelson.dev'], resources: ['environments'], verbs: ['get', 'list'] };
    const repos = (verbs: string[]) => ({ apiGroups: ['keelson.dev'], resources: ['gitrepositories'], verbs });
    const tokens = {
      viewer: await serviceAccountWith(kc, nsA, 'viewer', [envs, repos(['get', 'list'])]),
      deployer: await serviceAccountWith(kc, nsA, 'deployer', [envs, repos(['get', 'list', 'patch'])]),
      outsider: await serviceAccountWith(kc, nsA, 'outsider', [envs]),
      blind: await serviceAccountWith(kc, nsA, 'blind', [repos(['get', 'list'])]),
    };
    const dist = mkdtempSync(join(tmpdir(), 'keelson-ui-dist-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Keelson</title>');
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      identity: 'ui-git-api',
      args: [`--namespaces=${nsA},${nsB}`, `--ui-dir=${dist}`],
    });
    await operator.start();
    base = `http://127.0.0.1:${operator.apiPort}`;
    for (const [user, token] of Object.entries(tokens)) {
      const res = await fetch(`${base}/ui/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      const reply = await res.text();
      assert.equal(res.status, 200, reply);
      const body = JSON.parse(reply) as { csrf: string };
      sessions[user] = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrf };
    }
  });
  after(async () => {
    await operator?.stop();
    await deleteNamespace(kc, nsA);
    await deleteNamespace(kc, nsB);
  });

  it('lists the GitRepositories of the namespaces the caller may list them in, with the failed fetch', async () => {
    const row = await eventually(async () => {
      const r = await as('viewer', 'GET', '/api/v1/gitrepositories');
      const items = r.json.items as Record<string, unknown>[] | undefined;
      return items?.length === 1 && items[0]!.fetchFailed ? items : undefined;
    });
    assert.equal(row[0]!.namespace, nsA, 'not the repository of the namespace the viewer may not list in');
    assert.equal(row[0]!.name, 'deploy');
    assert.equal(row[0]!.url, 'https://127.0.0.1:1/deploy.git');
    assert.equal(row[0]!.ref, 'branch main');
    assert.equal(row[0]!.interval, '10m');
    assert.equal(row[0]!.suspend, false);
    assert.equal((row[0]!.ready as { status: string }).status, 'False');
    const outsider = await as('outsider', 'GET', '/api/v1/gitrepositories');
    assert.equal(outsider.status, 200);
    assert.deepEqual(outsider.json.items, []);
    const other = await as('viewer', 'GET', `/api/v1/gitrepositories?namespace=${nsB}`);
    assert.deepEqual(other.json.items, []);
  });

  it('streams the list: the rows the caller may list, then each change of one, never another namespace', async () => {
    const stream: SseReader = await openStream(`${base}/api/v1/gitrepositories/stream`, sessions.viewer!.cookie);
    try {
      const reset = (await stream.next('reset')) as { items: { namespace: string; name: string }[] };
      assert.deepEqual(
        reset.items.map((r) => `${r.namespace}/${r.name}`),
        [`${nsA}/deploy`],
      );
      await create(nsA, 'gitrepositories', 'GitRepository', 'added', {
        url: 'https://127.0.0.1:1/added.git',
        interval: '10m',
      });
      await create(nsB, 'gitrepositories', 'GitRepository', 'hidden-2', {
        url: 'https://127.0.0.1:1/x.git',
        interval: '10m',
      });
      // Every row streamed, to tell none of the other namespace came.
      const streamed: string[] = [];
      const named = (name: string) => (d: unknown) => {
        streamed.push((d as { name: string }).name);
        return (d as { name: string }).name === name;
      };
      const row = (await stream.until('upsert', named('added'))) as { namespace: string };
      assert.equal(row.namespace, nsA);
      await custom.deleteNamespacedCustomObject({
        group: 'keelson.dev',
        version: 'v1alpha1',
        plural: 'gitrepositories',
        namespace: nsA,
        name: 'added',
      });
      await stream.until('delete', named('added'));
      assert.ok(!streamed.includes('hidden-2'), `nothing of the namespace it may not list: ${streamed.join(', ')}`);
    } finally {
      stream.close();
    }
  });

  it('streams one GitRepository with the Environments using it, and a new one as it appears', async () => {
    const stream: SseReader = await openStream(`${base}${repoPath('stream')}`, sessions.viewer!.cookie);
    try {
      const names = (data: unknown) => ((data as View).environments ?? []).map((e) => e.name);
      const first = (await stream.next('gitRepository')) as View;
      seen.push(JSON.stringify(first));
      assert.deepEqual(names(first), ['dev', 'prod']);
      assert.equal(first.gitRepository.spec.secretRef?.name, 'git-credentials');
      await create(nsA, 'environments', 'Environment', 'canary', { sourceRef: { name: 'deploy' }, environment: 'x' });
      await stream.until('gitRepository', (d) => names(d).join() === 'canary,dev,prod');
    } finally {
      stream.close();
    }
    // Who may not list Environments there sees the repository without them.
    const blind = await openStream(`${base}${repoPath('stream')}`, sessions.blind!.cookie);
    try {
      assert.equal(((await blind.next('gitRepository')) as View).environments, undefined);
    } finally {
      blind.close();
    }
    assert.equal((await as('outsider', 'GET', repoPath('stream'))).status, 403);
    assert.equal((await as('viewer', 'GET', `/api/v1/namespaces/${nsA}/gitrepositories/nope/stream`)).status, 404);
  });

  it('says what the caller may do, and refreshes, suspends and resumes only with verb patch', async () => {
    assert.deepEqual((await as('viewer', 'GET', repoPath('access'))).json, { get: true, patch: false });
    assert.deepEqual((await as('deployer', 'GET', repoPath('access'))).json, { get: true, patch: true });
    assert.deepEqual((await as('outsider', 'GET', repoPath('access'))).json, { get: false, patch: false });

    assert.equal((await as('viewer', 'POST', repoPath('refresh'))).status, 403);
    const refresh = await as('deployer', 'POST', repoPath('refresh'));
    assert.equal(refresh.status, 202, refresh.text);
    const annotations = (await repoObject()).metadata.annotations ?? {};
    assert.equal(annotations['keelson.dev/refresh-requested-at'], refresh.json.requestedAt);

    for (const sub of ['suspend', 'resume']) assert.equal((await as('viewer', 'POST', repoPath(sub))).status, 403);
    assert.equal((await as('deployer', 'POST', repoPath('suspend'))).status, 204);
    assert.equal((await repoObject()).spec.suspend, true);
    await eventually(async () => {
      const items = (await as('viewer', 'GET', '/api/v1/gitrepositories')).json.items as { suspend: boolean }[];
      return items[0]?.suspend === true;
    });
    assert.equal((await as('deployer', 'POST', repoPath('resume'))).status, 204);
    assert.equal((await repoObject()).spec.suspend, false);
    const withoutCsrf = await fetch(`${base}${repoPath('suspend')}`, {
      method: 'POST',
      headers: { cookie: sessions.deployer!.cookie },
    });
    assert.equal(withoutCsrf.status, 403, 'a change without X-Keelson-CSRF is refused');
    assert.equal((await repoObject()).spec.suspend, false);
  });

  it('never sent a Secret value', () => {
    assert.ok(seen.length > 10);
    for (const text of seen) assert.ok(!text.includes(SECRET_VALUE), text.slice(0, 200));
  });
});
