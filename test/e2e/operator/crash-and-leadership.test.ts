// The operator can die at any moment and a second replica can stand by: a SIGKILL in the
// middle of a sync with hooks, then a restart, completes the operation without running a
// hook twice; of two replicas only the Lease holder acts, and the other takes over when
// the holder is killed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import { hookedDeployRepo } from '../../harness/hooked-deploy-repo.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const batch = kc.makeApiClient(k8s.BatchV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
const coordination = kc.makeApiClient(k8s.CoordinationV1Api);

describe('operator crashes and leadership', () => {
  const story = new Story(kc);
  const started: OperatorProcess[] = [];
  const operator = (args: string[] = [], identity?: string, cacheDir?: string) => {
    const op = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`, ...args],
      ...(identity ? { identity } : {}),
      ...(cacheDir ? { cacheDir } : {}),
    });
    started.push(op);
    return op;
  };
  const hookJobs = async () =>
    (await batch.listNamespacedJob({ namespace: story.targets.dev!, labelSelector: 'keelson.dev/hook-of' })).items;

  before(async () => {
    await story.setUp({
      prefix: 'crash',
      files: hookedDeployRepo('v1', 1),
      environments: { dev: { sync: { automated: { prune: true, selfHeal: true } } } },
    });
  });
  after(async () => {
    for (const op of started) await op.kill();
    await story.tearDown();
  });

  it('finishes a sync after a SIGKILL during its PreSync hook, running the hook once', async () => {
    const first = operator();
    await first.start();
    await story.until('dev', 'the first sync done', (e) => e.status?.operation?.phase === 'Succeeded');
    const commit = await story.repo.commit(hookedDeployRepo('v2', 8), 'v2 with a slow migration');
    await story.refresh();
    const running = await story.until(
      'dev',
      'the v2 sync waiting on its PreSync hook',
      (e) =>
        e.status?.operation?.phase === 'Running' &&
        commitOf(e.status.operation.revision) === commit &&
        Boolean(e.status.operation.tasks?.some((t) => t.phase === 'PreSync' && t.applied)),
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const opId = running.status!.operation!.id;
    const jobsBefore = (await hookJobs()).filter((j) => j.metadata?.annotations?.['keelson.dev/operation'] === opId);
    assert.equal(jobsBefore.length, 1, 'the hook Job of this operation exists');
    await first.kill();
    const configMap = await core.readNamespacedConfigMap({ name: 'settings', namespace: story.targets.dev! });
    assert.equal(configMap.data?.version, 'v1', 'nothing after the hook ran before the crash');

    const second = operator([], 'keelson-test', first.cacheDir);
    await second.start();
    const done = await story.until(
      'dev',
      'the v2 sync finished after the restart',
      (e) => e.status?.operation?.id === opId && e.status.operation.phase === 'Succeeded',
      { timeoutMs: 90_000 },
    );
    assert.equal(commitOf(done.status!.operation!.revision), commit);
    const jobsAfter = (await hookJobs()).filter((j) => j.metadata?.annotations?.['keelson.dev/operation'] === opId);
    assert.equal(jobsAfter.length, 1, 'the hook ran once');
    assert.equal(jobsAfter[0]!.metadata!.uid, jobsBefore[0]!.metadata!.uid, 'the same Job, not a second one');
    assert.equal(
      (await core.readNamespacedConfigMap({ name: 'settings', namespace: story.targets.dev! })).data?.version,
      'v2',
    );
    await second.stop();
  });

  it('lets only the Lease holder act, and the standby takes over when the holder dies', async () => {
    const lease = `keelson-${process.pid}`;
    const args = ['--leader-elect', `--lease-name=${lease}`, `--lease-namespace=${story.ns}`];
    const a = operator(args, 'replica-a');
    const b = operator(args, 'replica-b');
    await a.start();
    await a.waitLeading();
    await b.start();
    const holder = await coordination.readNamespacedLease({ name: lease, namespace: story.ns });
    assert.equal(holder.spec?.holderIdentity, 'replica-a');
    const standby = await fetch(`http://127.0.0.1:${b.metricsPort}/readyz`);
    assert.equal(await standby.text(), 'standby\n', 'the second replica stands by');
    assert.doesNotMatch(b.logs(), /controllers started/);

    await a.kill();
    const killedAt = Date.now();
    await b.waitLeading(45_000);
    const takeover = (Date.now() - killedAt) / 1000;
    assert.ok(takeover < 30, `took over after ${takeover} s`);
    assert.equal(
      (await coordination.readNamespacedLease({ name: lease, namespace: story.ns })).spec?.holderIdentity,
      'replica-b',
    );
    const commit = await story.repo.commit(hookedDeployRepo('v3', 1), 'v3');
    await story.refresh();
    await story.until(
      'dev',
      'v3 synced by the new leader',
      (e) => e.status?.operation?.phase === 'Succeeded' && commitOf(e.status.operation.revision) === commit,
      { timeoutMs: 60_000 },
    );
    assert.match(b.logs(), /became the leader/);
    await eventually(
      async () =>
        (await core.readNamespacedConfigMap({ name: 'settings', namespace: story.targets.dev! })).data?.version ===
        'v3',
    );
  });
});
