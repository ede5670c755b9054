// The keelson CLI's Environment commands against the real API server, with the user's
// kubeconfig. The operator is not running here: where a command waits for it, the test
// writes the status the operator would write, so what is tested is the CLI's contract
// (annotations it writes, status it reads, exit codes).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { main } from '../../../operator/src/cli/main.ts';
import { createTestNamespace, deleteNamespace, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';

const run = promisify(execFile);
const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
let ns = '';

const REV_A = `main@sha1:${'a'.repeat(40)}`;
const REV_B = `main@sha1:${'b'.repeat(40)}`;

async function keelson(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: process.env,
    cwd: REPO_ROOT,
    isTty: false,
  });
  return { code, out, err };
}

async function getEnv(name: string): Promise<{
  metadata: { annotations?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}> {
  return (await custom.getNamespacedCustomObject({
    group: 'keelson.dev',
    version: 'v1alpha1',
    namespace: ns,
    plural: 'environments',
    name,
  })) as never;
}

async function patchStatus(name: string, status: unknown): Promise<void> {
  await custom.patchNamespacedCustomObjectStatus(
    { group: 'keelson.dev', version: 'v1alpha1', namespace: ns, plural: 'environments', name, body: { status } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
}

describe('keelson CLI: Environment commands', () => {
  before(async () => {
    ns = await createTestNamespace(kc, 'cli');
    const create = (plural: string, kind: string, name: string, spec: unknown) =>
      custom.createNamespacedCustomObject({
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: ns,
        plural,
        body: { apiVersion: 'keelson.dev/v1alpha1', kind, metadata: { name }, spec },
      });
    await create('gitrepositories', 'GitRepository', 'deploy', { url: 'https://git.example.com/deploy.git' });
    await create('environments', 'Environment', 'dev', {
      sourceRef: { name: 'deploy' },
      environment: 'dev',
      sync: { automated: { prune: true, selfHeal: true } },
    });
    await create('environments', 'Environment', 'prod', { sourceRef: { name: 'deploy' }, environment: 'prod' });
    await patchStatus('prod', {
      sync: { status: 'OutOfSync', revision: REV_B },
      health: { status: 'Healthy' },
      history: [
        { id: 1, revision: REV_B, deployedAt: '2026-11-22T03:00:00Z', initiatedBy: { username: 'alice' } },
        { id: 0, revision: REV_A, deployedAt: '2026-11-22T02:00:00Z', initiatedBy: { automated: true } },
      ],
    });
  });
  after(async () => {
    await deleteNamespace(kc, ns);
  });

  it('lists Environments as a table, and as JSON with -o json', async () => {
    const r = await keelson('list', '-n', ns);
    assert.equal(r.code, 0, r.err);
    const [header, ...rows] = r.out.trim().split('\n');
    assert.match(header!, /^NAME\s+SYNC\s+HEALTH\s+REVISION\s+AUTO-SYNC\s+LAST SYNC\s+AGE$/);
    assert.match(
      rows.find((l) => l.startsWith('prod'))!,
      /^prod\s+OutOfSync\s+Healthy\s+main@bbbbbbb\s+manual/,
    );
    assert.match(
      rows.find((l) => l.startsWith('dev'))!,
      /^dev\s+Unknown\s+Unknown\s+on/,
    );
    const json = JSON.parse((await keelson('list', '-n', ns, '-o', 'json')).out) as {
      items: { metadata: { name: string } }[];
    };
    assert.deepEqual(
      json.items.map((i) => i.metadata.name),
      ['dev', 'prod'],
    );
  });

  it('describes one Environment, and names a missing one', async () => {
    const r = await keelson('get', 'prod', '-n', ns);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Sync policy:\s+manual/);
    assert.match(r.out, /Sync:\s+OutOfSync to main@sha1:b{40}/);
    const missing = await keelson('get', 'staging', '-n', ns);
    assert.equal(missing.code, 1);
    assert.match(missing.err, new RegExp(`Environment ${ns}/staging not found`));
  });

  it('asks for a sync through the annotation, with who asked and an optional commit', async () => {
    const r = await keelson('sync', 'prod', '-n', ns, '--revision', 'c'.repeat(40));
    assert.equal(r.code, 0, r.err);
    const env = await getEnv('prod');
    assert.match(
      env.metadata.annotations!['keelson.dev/sync-requested-at']!,
      new RegExp(`^\\d{4}-.*Z@${'c'.repeat(40)}$`),
    );
    assert.equal(env.metadata.annotations!['keelson.dev/sync-requested-by'], 'keelson-local-admin');
    const bad = await keelson('sync', 'prod', '-n', ns, '--revision', 'HEAD');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--revision must be a full commit id/);
  });

  it('follows a sync with --wait through its tasks and exits non-zero when it fails', async () => {
    const waiting = keelson('sync', 'dev', '-n', ns, '--wait', '--timeout', '30s');
    let token: string | undefined;
    for (let i = 0; i < 100 && !token; i++) {
      token = (await getEnv('dev')).metadata.annotations?.['keelson.dev/sync-requested-at'];
      if (!token) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(token, 'the sync request annotation was written');
    const op = { id: 'op-1', revision: REV_B, startedAt: '2026-11-22T04:00:00Z', phase: 'Running' };
    await patchStatus('dev', {
      lastHandledSyncAt: token,
      operation: { ...op, tasks: [{ key: 'batch/Job/shop/migrate', phase: 'PreSync', wave: 0, status: 'Running' }] },
    });
    await new Promise((r) => setTimeout(r, 700));
    await patchStatus('dev', {
      operation: {
        ...op,
        phase: 'Failed',
        finishedAt: '2026-11-22T04:01:00Z',
        message: 'PreSync hook migrate failed',
        tasks: [
          {
            key: 'batch/Job/shop/migrate',
            phase: 'PreSync',
            wave: 0,
            status: 'Failed',
            message: 'BackoffLimitExceeded',
          },
        ],
      },
    });
    const r = await waiting;
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /PreSync\s+wave\s+0\s+batch\/Job\/shop\/migrate\s+Running/);
    assert.match(r.out, /batch\/Job\/shop\/migrate\s+Failed: BackoffLimitExceeded/);
    assert.match(r.out, /sync failed: .*PreSync hook migrate failed/);
  });

  it('refreshes the Environment and its GitRepository', async () => {
    assert.equal((await keelson('refresh', 'prod', '-n', ns)).code, 0);
    const env = await getEnv('prod');
    const repo = (await custom.getNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'gitrepositories',
      name: 'deploy',
    })) as { metadata: { annotations: Record<string, string> } };
    assert.ok(env.metadata.annotations!['keelson.dev/refresh-requested-at']);
    assert.equal(
      repo.metadata.annotations['keelson.dev/refresh-requested-at'],
      env.metadata.annotations!['keelson.dev/refresh-requested-at'],
    );
  });

  it('shows the history and rolls back to the previous revision, pausing automated sync until resume', async () => {
    const h = await keelson('history', 'prod', '-n', ns);
    assert.match(h.out, /^1\s+main@sha1:b{40}\s+.*alice$/m);
    assert.match(h.out, /^0\s+main@sha1:a{40}\s+.*automated$/m);
    const r = await keelson('rollback', 'prod', '-n', ns);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /back to entry 0: main@sha1:a{40}/);
    let env = await getEnv('prod');
    assert.match(env.metadata.annotations!['keelson.dev/sync-requested-at']!, new RegExp(`@${'a'.repeat(40)}$`));
    assert.match(env.metadata.annotations!['keelson.dev/auto-sync-paused']!, /rollback to history entry 0/);
    assert.equal((await keelson('rollback', 'prod', '7', '-n', ns)).err.includes('no history entry 7'), true);
    assert.equal((await keelson('resume', 'prod', '-n', ns)).code, 0);
    env = await getEnv('prod');
    assert.equal(env.metadata.annotations!['keelson.dev/auto-sync-paused'], undefined);
  });

  it('suspends and resumes', async () => {
    assert.equal((await keelson('suspend', 'dev', '-n', ns)).code, 0);
    assert.equal((await getEnv('dev')).spec.suspend, true);
    assert.match((await keelson('list', '-n', ns)).out, /^dev\s+.*suspended/m);
    assert.equal((await keelson('resume', 'dev', '-n', ns)).code, 0);
    assert.equal((await getEnv('dev')).spec.suspend, false);
  });

  it("runs as `npx keelson` with the project's Node", async () => {
    const { stdout } = await run('npx', ['--no-install', 'keelson', 'list', '-n', ns, '-o', 'yaml'], {
      cwd: REPO_ROOT,
      env: process.env,
    });
    assert.match(stdout, /kind: List/);
    assert.match(stdout, /name: prod/);
  });
});
