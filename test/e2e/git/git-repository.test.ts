// The GitRepository controller in-process against the real control plane and the real Git
// server: artifacts in status, polling and refresh-on-request, failures in conditions and
// events while the last good artifact stays, one cache and one fetch for two objects with
// the same URL, and metrics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { GitMetrics } from '../../../operator/src/adapters/metrics/git-metrics.ts';
import { ReconcileMetrics } from '../../../operator/src/adapters/metrics/reconcile-metrics.ts';
import { GitRepositoryController, type GitRepositoryObject } from '../../../operator/src/controllers/git-repository.ts';
import { GitServer } from '../../harness/git-server.ts';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';

const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const core = kc.makeApiClient(k8s.CoreV1Api);
const plural = { group: 'keelson.dev', version: 'v1alpha1', plural: 'gitrepositories' };
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

let ns = '';
let git: GitServer;
let cacheDir: string;
let controller: GitRepositoryController;
const registry = new Registry();

before(async () => {
  ns = await createTestNamespace(kc, 'gitrepo');
  git = await GitServer.start();
  cacheDir = mkdtempSync(join(tmpdir(), 'keelson-ctl-'));
  await core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'git-auth' }, stringData: { ...git.credentials } },
  });
  await core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'wrong-auth' }, stringData: { username: 'keelson', password: 'not-the-password' } },
  });
  controller = new GitRepositoryController(kc, {
    cacheDir,
    namespace: ns,
    log: { error: (message, fields) => console.error(message, fields ?? {}) },
    onRequest: new GitMetrics(registry).observe,
    observe: new ReconcileMetrics(registry).observe,
  });
  await controller.start();
});
after(async () => {
  await controller.stop();
  await git.stop();
  await deleteNamespace(kc, ns);
  rmSync(cacheDir, { recursive: true, force: true });
});

function create(name: string, spec: Record<string, unknown>): Promise<unknown> {
  return custom.createNamespacedCustomObject({
    ...plural,
    namespace: ns,
    body: {
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'GitRepository',
      metadata: { name },
      spec: { interval: '1h', ...spec },
    },
  });
}
function get(name: string): Promise<GitRepositoryObject> {
  return custom.getNamespacedCustomObject({ ...plural, namespace: ns, name }) as Promise<GitRepositoryObject>;
}
function patch(name: string, body: object): Promise<unknown> {
  return custom.patchNamespacedCustomObject({ ...plural, namespace: ns, name, body }, mergePatch);
}
const condition = (o: GitRepositoryObject, type: string) => o.status?.conditions?.find((c) => c.type === type);
async function waitFor(
  name: string,
  check: (o: GitRepositoryObject) => boolean,
  message: string,
  timeoutMs = 30_000,
): Promise<GitRepositoryObject> {
  return eventually(
    async () => {
      const o = await get(name);
      return check(o) ? o : undefined;
    },
    { message: `${name}: ${message}`, timeoutMs },
  );
}
async function eventsOf(name: string): Promise<k8s.CoreV1Event[]> {
  const list = await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

describe('GitRepository controller', () => {
  it('stores an artifact in status and reports Ready with the revision', async () => {
    const repo = await git.createRepo('ready', { 'apps/dev.ts': 'v1' });
    await create('ready', { url: repo.url, insecure: true, secretRef: { name: 'git-auth' } });
    const o = await waitFor('ready', (x) => condition(x, 'Ready')?.status === 'True', 'Ready');
    const head = await repo.head();
    assert.equal(o.status?.artifact?.revision, `main@sha1:${head}`);
    assert.equal(o.status?.artifact?.commit, head);
    assert.match(o.status?.artifact?.fetchedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(o.status?.observedGeneration, o.metadata.generation);
    assert.match(condition(o, 'Ready')!.message, /stored artifact for revision main@sha1:/);
    assert.equal(condition(o, 'Reconciling'), undefined);
    assert.equal(condition(o, 'Stalled'), undefined);
    const artifact = controller.artifact(ns, 'ready')!;
    assert.equal(new TextDecoder().decode(await artifact.readFile('apps/dev.ts')), 'v1');
    await eventually(async () => (await eventsOf('ready')).some((e) => e.reason === 'NewArtifact'), {
      message: 'NewArtifact event',
    });
  });

  it('fetches a new commit when keelson.dev/refresh-requested-at changes', async () => {
    const repo = await git.createRepo('refresh', { 'x.txt': '1' });
    await create('refresh', { url: repo.url, insecure: true, secretRef: { name: 'git-auth' } });
    await waitFor('refresh', (x) => condition(x, 'Ready')?.status === 'True', 'Ready');
    const next = await repo.commit({ 'x.txt': '2' });
    await patch('refresh', { metadata: { annotations: { 'keelson.dev/refresh-requested-at': 'now-1' } } });
    const o = await waitFor('refresh', (x) => x.status?.artifact?.commit === next, 'the new commit', 10_000);
    assert.equal(o.status?.lastHandledRefreshAt, 'now-1');
    const tree = await controller.tree(o, next);
    assert.equal(new TextDecoder().decode(await tree.readFile('x.txt')), '2');
  });

  it('polls every spec.interval and follows a force-push', async () => {
    const repo = await git.createRepo('polling', { 'x.txt': '1' });
    await create('polling', { url: repo.url, insecure: true, secretRef: { name: 'git-auth' }, interval: '1s' });
    await waitFor('polling', (x) => condition(x, 'Ready')?.status === 'True', 'Ready');
    const rewritten = await repo.rewrite({ 'y.txt': 'y' });
    await waitFor('polling', (x) => x.status?.artifact?.commit === rewritten, 'the rewritten commit', 15_000);
  });

  it('keeps the last good artifact and says why when the credentials turn wrong', async () => {
    const repo = await git.createRepo('auth', { 'x.txt': '1' });
    await create('auth', { url: repo.url, insecure: true, secretRef: { name: 'git-auth' } });
    const good = await waitFor('auth', (x) => condition(x, 'Ready')?.status === 'True', 'Ready');
    await patch('auth', { spec: { secretRef: { name: 'wrong-auth' } } });
    const o = await waitFor(
      'auth',
      (x) => condition(x, 'Ready')?.reason === 'AuthenticationFailed',
      'AuthenticationFailed',
    );
    assert.equal(condition(o, 'Ready')?.status, 'False');
    assert.equal(condition(o, 'FetchFailed')?.status, 'True');
    assert.equal(condition(o, 'Reconciling')?.reason, 'ProgressingWithRetry');
    assert.match(condition(o, 'Ready')!.message, /check the username and password or token in spec\.secretRef/);
    assert.deepEqual(o.status?.artifact, good.status?.artifact, 'the last good artifact stays');
    assert.ok(!JSON.stringify(o.status).includes('not-the-password'));
    const warning = await eventually(
      async () => (await eventsOf('auth')).find((e) => e.type === 'Warning' && e.reason === 'AuthenticationFailed'),
      { message: 'Warning event' },
    );
    assert.doesNotMatch(warning.message ?? '', /not-the-password/);
    await patch('auth', { spec: { secretRef: { name: 'git-auth' } } });
    const healed = await waitFor('auth', (x) => condition(x, 'Ready')?.status === 'True', 'Ready again', 20_000);
    assert.equal(condition(healed, 'FetchFailed'), undefined);
  });

  const failures: {
    name: string;
    spec: (url: string) => Record<string, unknown>;
    reason: string;
    stalled?: boolean;
    message: RegExp;
  }[] = [
    {
      name: 'a missing repository is RepositoryNotFound',
      spec: () => ({ url: git.url('does-not-exist') }),
      reason: 'RepositoryNotFound',
      message: /repository not found/,
    },
    {
      name: 'a missing branch is RefNotFound',
      spec: (url) => ({ url, ref: { branch: 'nope' } }),
      reason: 'RefNotFound',
      message: /branch "nope" does not exist/,
    },
    {
      name: 'a semver range that does not parse stalls',
      spec: (url) => ({ url, ref: { semver: 'latest please' } }),
      reason: 'InvalidRef',
      stalled: true,
      message: /not a semver range/,
    },
    {
      name: 'a missing Secret is waited for',
      spec: (url) => ({ url, secretRef: { name: 'absent' } }),
      reason: 'SecretNotFound',
      message: /Secret "absent"/,
    },
    {
      name: 'an unreachable host is HostUnreachable',
      spec: () => ({ url: 'http://127.0.0.1:9/x.git' }),
      reason: 'HostUnreachable',
      message: /cannot reach 127\.0\.0\.1:9/,
    },
  ];
  for (const [i, c] of failures.entries()) {
    it(c.name, async () => {
      const repo = await git.createRepo(`fail-${i}`, { 'x.txt': '1' });
      const name = `fail-${i}`;
      await create(name, { insecure: true, secretRef: { name: 'git-auth' }, ...c.spec(repo.url) });
      const o = await waitFor(name, (x) => condition(x, 'Ready')?.reason === c.reason, c.reason);
      assert.equal(condition(o, 'Ready')?.status, 'False');
      assert.match(condition(o, 'Ready')!.message, c.message);
      assert.equal(condition(o, 'Stalled')?.status, c.stalled ? 'True' : undefined);
      assert.equal(o.status?.artifact, undefined);
    });
  }

  it('shares one cache between two GitRepositories of one URL: one fetch', async () => {
    const repo = await git.createRepo('twins', { 'x.txt': '1' });
    await create('twin-a', { url: repo.url, insecure: true, secretRef: { name: 'git-auth' } });
    await waitFor('twin-a', (x) => condition(x, 'Ready')?.status === 'True', 'Ready');
    // The claim is about the second GitRepository: it fetches nothing. (On a loaded machine
    // the first one's fetch may be retried, so its own count is not the point.)
    const fetchesOfA = git.requestsFor('twins', 'fetch');
    assert.ok(fetchesOfA >= 1);
    await create('twin-b', { url: repo.url, insecure: true, secretRef: { name: 'git-auth' }, ref: { branch: 'main' } });
    const b = await waitFor('twin-b', (x) => condition(x, 'Ready')?.status === 'True', 'Ready');
    assert.equal(b.status?.artifact?.commit, await repo.head());
    assert.equal(git.requestsFor('twins', 'fetch'), fetchesOfA, 'the second GitRepository of the URL fetched nothing');
  });

  it('does nothing while suspended', async () => {
    const repo = await git.createRepo('suspended', { 'x.txt': '1' });
    await create('suspended', { url: repo.url, insecure: true, secretRef: { name: 'git-auth' }, suspend: true });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await get('suspended')).status, undefined);
    assert.equal(git.requestsFor('suspended'), 0);
  });

  it('counts Git requests by repository, kind and result', async () => {
    const text = await registry.metrics();
    assert.match(
      text,
      /keelson_git_requests_total\{repository="http:\/\/127\.0\.0\.1:\d+\/ready\.git",kind="ls-refs",result="success"\} \d+/,
    );
    assert.match(
      text,
      /keelson_git_requests_total\{repository="[^"]+auth\.git",kind="ls-refs",result="AuthenticationFailed"\} \d+/,
    );
    assert.match(
      text,
      /keelson_git_request_duration_seconds_bucket\{le="0\.1",repository="[^"]+ready\.git",kind="fetch"\} \d+/,
    );
    assert.match(text, /keelson_reconcile_duration_seconds_count\{kind="GitRepository",result="success"\} \d+/);
  });
});
