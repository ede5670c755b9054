// GitRepository spec fields through the controller (in-process, against the real control plane
// and a real Git server): spec.ref.branch, .tag, .semver and .commit each pick the revision the
// artifact holds, and spec.timeout bounds one Git operation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { GitRepositoryController, type GitRepositoryObject } from '../../../operator/src/controllers/git-repository.ts';
import { GitServer } from '../../harness/git-server.ts';
import type { GitTestRepo } from '../../harness/git-test-repo.ts';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';

const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const core = kc.makeApiClient(k8s.CoreV1Api);
const plural = { group: 'keelson.dev', version: 'v1alpha1', plural: 'gitrepositories' };

let ns = '';
let git: GitServer;
let slow: GitServer;
let cacheDir: string;
let controller: GitRepositoryController;

before(async () => {
  ns = await createTestNamespace(kc, 'gitrepo-spec');
  git = await GitServer.start();
  slow = await GitServer.start();
  cacheDir = mkdtempSync(join(tmpdir(), 'keelson-ctl-'));
  for (const [name, server] of [
    ['git-auth', git],
    ['slow-auth', slow],
  ] as const)
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name }, stringData: { ...server.credentials } },
    });
  const log = { error: (message: string, fields?: object) => console.error(message, fields ?? {}) };
  controller = new GitRepositoryController(kc, { cacheDir, namespace: ns, log });
  await controller.start();
});
after(async () => {
  await controller.stop();
  await git.stop();
  await slow.stop();
  await deleteNamespace(kc, ns);
  rmSync(cacheDir, { recursive: true, force: true });
});

function create(name: string, spec: Record<string, unknown>): Promise<unknown> {
  return custom.createNamespacedCustomObject({
    ...plural,
    namespace: ns,
    body: { apiVersion: 'keelson.dev/v1alpha1', kind: 'GitRepository', metadata: { name }, spec },
  });
}
const ready = (o: GitRepositoryObject) => o.status?.conditions?.find((c) => c.type === 'Ready');
function waitFor(name: string, check: (o: GitRepositoryObject) => boolean, what: string): Promise<GitRepositoryObject> {
  let last: GitRepositoryObject | undefined;
  return eventually(
    async () => {
      last = (await custom.getNamespacedCustomObject({ ...plural, namespace: ns, name })) as GitRepositoryObject;
      return check(last) ? last : undefined;
    },
    { timeoutMs: 45_000, message: `${name}: ${what} (last: ${JSON.stringify(last?.status ?? null)})` },
  );
}
const withArtifact = (name: string) => waitFor(name, (o) => o.status?.artifact !== undefined, 'an artifact');

describe('GitRepository spec.ref', () => {
  let repo: GitTestRepo;
  const commits: Record<string, string> = {};

  before(async () => {
    // main moves past every tag, and a release branch forks at v1.4.2: each ref names another commit.
    repo = await git.createRepo('refs', { 'v.txt': '1.0.0' });
    commits['v1.0.0'] = await repo.tag('v1.0.0');
    commits['v1.4.2'] = await repo.commit({ 'v.txt': '1.4.2' });
    await repo.tag('v1.4.2', 'main', true);
    await repo.branch('release');
    commits['release'] = await repo.commit({ 'v.txt': '1.4.3' }, 'release fix', { branch: 'release' });
    commits['v2.0.0'] = await repo.commit({ 'v.txt': '2.0.0' });
    await repo.tag('v2.0.0');
    commits['main'] = await repo.commit({ 'v.txt': '3.0.0-dev' });
  });

  const base = () => ({ url: repo.url, insecure: true, secretRef: { name: 'git-auth' }, interval: '1h' });

  it('spec.ref.branch follows that branch, not main', async () => {
    await create('by-branch', { ...base(), ref: { branch: 'release' } });
    const o = await withArtifact('by-branch');
    assert.equal(o.status!.artifact!.revision, `release@sha1:${commits['release']}`);
    assert.notEqual(commits['release'], commits['main']);
  });

  it('spec.ref.tag uses that tag', async () => {
    await create('by-tag', { ...base(), ref: { tag: 'v1.0.0' } });
    const o = await withArtifact('by-tag');
    assert.equal(o.status!.artifact!.revision, `v1.0.0@sha1:${commits['v1.0.0']}`);
  });

  it('spec.ref.semver uses the highest tag in the range', async () => {
    await create('by-semver', { ...base(), ref: { semver: '^1.0.0' } });
    const o = await withArtifact('by-semver');
    assert.equal(o.status!.artifact!.revision, `v1.4.2@sha1:${commits['v1.4.2']}`);
  });

  it('spec.ref.commit uses exactly that commit', async () => {
    await create('by-commit', { ...base(), ref: { commit: commits['v2.0.0'] } });
    const o = await withArtifact('by-commit');
    assert.equal(o.status!.artifact!.commit, commits['v2.0.0']);
  });
});

describe('GitRepository spec.timeout', () => {
  it('spec.timeout ends a Git operation on a slow server: Timeout at 1s, while the default 60s waits it out', async () => {
    const a = await slow.createRepo('slow-short', { 'x.txt': 'x' });
    const b = await slow.createRepo('slow-default', { 'x.txt': 'x' });
    slow.responseDelayMs = 4000;
    const spec = { insecure: true, secretRef: { name: 'slow-auth' }, interval: '1h' };
    await create('slow-short', { ...spec, url: a.url, timeout: '1s' });
    await create('slow-default', { ...spec, url: b.url });
    const short = await waitFor('slow-short', (o) => ready(o)?.status === 'False', 'Ready=False');
    assert.equal(ready(short)!.reason, 'Timeout', ready(short)!.message);
    assert.match(ready(short)!.message, /timed out/);
    assert.equal(short.status?.artifact, undefined);
    const standard = await waitFor('slow-default', (o) => ready(o)?.status !== undefined, 'a Ready condition');
    assert.equal(ready(standard)!.status, 'True', ready(standard)!.message);
  });
});
