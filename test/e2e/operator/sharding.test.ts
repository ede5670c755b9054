// Sharding (ADR 0023) with real replicas, each its own process: the Environments are spread
// over the replicas by shard, each reconciled by its shard's holder; a replica killed in the
// middle of a sync has its shards taken within the lease duration and the sync finishes with
// its hook run once; a replica joining takes half of two replicas' shards; a replica paused in
// the middle of a sync (SIGSTOP) sends no write after it wakes until it holds a shard again,
// as the API server's audit log of its requests shows. Each replica watches only its own
// shards' objects, which carry their shard as a label (ADR 0026).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { shardOf } from '../../../operator/src/core/sharding.ts';
import { auditedKubeconfig, auditedRequests } from '../../harness/audit-log.ts';
import { hookedDeployRepo } from '../../harness/hooked-deploy-repo.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const batch = kc.makeApiClient(k8s.BatchV1Api);
const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
const SHARDS = 4;
const LEASE_SECONDS = 6;
const ENVIRONMENTS = ['e0', 'e1', 'e2', 'e3', 'e4', 'e5'];

describe('sharding over replicas', () => {
  const story = new Story(kc);
  const group = `shards-${process.pid}`;
  const replicas = new Map<string, OperatorProcess>();
  const start = async (identity: string, kubeconfig = process.env.KUBECONFIG!) => {
    const op = new OperatorProcess({
      kubeconfig,
      identity,
      args: [
        `--namespaces=${story.namespaces.join(',')}`,
        `--shards=${SHARDS}`,
        `--lease-duration=${LEASE_SECONDS}s`,
        `--lease-name=${group}`,
        `--lease-namespace=${story.ns}`,
      ],
    });
    replicas.set(identity, op);
    await op.start();
    return op;
  };
  /** Shard → holder, from the Leases. */
  const holders = async () => {
    const leases = await coordination.listNamespacedLease({
      namespace: story.ns,
      labelSelector: `keelson.dev/lease-group=${group},keelson.dev/lease-role=shard`,
    });
    return new Map(
      leases.items
        .filter((l) => l.spec?.holderIdentity)
        .map((l) => [Number(l.metadata!.name!.split('-').pop()), l.spec!.holderIdentity!]),
    );
  };
  const holding = async (want: Record<string, number>, timeoutMs = 30_000) => {
    let seen = new Map<number, string>();
    await eventually(
      async () => {
        seen = await holders();
        const count = (r: string) => [...seen.values()].filter((h) => h === r).length;
        return seen.size === SHARDS && Object.entries(want).every(([r, n]) => count(r) === n);
      },
      { timeoutMs, intervalMs: 100, message: `the shards held as ${JSON.stringify(want)}` },
    );
    return seen;
  };
  const shardOfEnv = (name: string) => shardOf(story.ns, name, SHARDS);
  const hookJobs = async (env: string, opId: string) =>
    (
      await batch.listNamespacedJob({ namespace: story.targets[env]!, labelSelector: 'keelson.dev/hook-of' })
    ).items.filter((j) => j.metadata?.annotations?.['keelson.dev/operation'] === opId);
  /** Waits until `env` runs its sync of `commit` with the PreSync hook applied; returns the operation id. */
  const midSync = async (env: string, commit: string) =>
    (
      await story.until(
        env,
        `${env} waiting on its PreSync hook`,
        (e) =>
          e.status?.operation?.phase === 'Running' &&
          commitOf(e.status.operation.revision) === commit &&
          Boolean(e.status.operation.tasks?.some((t) => t.phase === 'PreSync' && t.applied)),
        { timeoutMs: 60_000, intervalMs: 100 },
      )
    ).status!.operation!.id;
  const allSynced = async (commit: string | undefined, by?: Map<number, string>) => {
    for (const env of ENVIRONMENTS)
      await story.until(
        env,
        `${env} synced to ${commit?.slice(0, 7)}${by ? ' and stamped by its shard holder' : ''}`,
        (e) =>
          e.status?.operation?.phase === 'Succeeded' &&
          commitOf(e.status.operation.revision) === commit &&
          (!by || e.status.reconciledBy?.replica === by.get(shardOfEnv(env))),
        { timeoutMs: 90_000 },
      );
  };

  before(async () => {
    await story.setUp({
      prefix: 'shards',
      files: hookedDeployRepo('v1', 1, ENVIRONMENTS),
      environments: Object.fromEntries(
        ENVIRONMENTS.map((e) => [e, { sync: { automated: { prune: true, selfHeal: true } } }]),
      ),
    });
  });
  after(async () => {
    for (const op of replicas.values()) {
      op.resume();
      await op.kill();
    }
    await story.tearDown();
  });

  it('spreads the shards over the replicas, each Environment reconciled by its shard holder', async () => {
    const a = await start('replica-a');
    await holding({ 'replica-a': SHARDS });
    await start('replica-b');
    const split = await holding({ 'replica-a': 2, 'replica-b': 2 });
    await allSynced((await story.repo.head())!, split);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    for (const env of ENVIRONMENTS) {
      assert.equal((await story.environment(env)).status?.reconciledBy?.shard, shardOfEnv(env), env);
      const settings = await core.readNamespacedConfigMap({ name: 'settings', namespace: story.targets[env]! });
      assert.equal(settings.metadata?.labels?.['keelson.dev/shard'], String(shardOfEnv(env)), `${env}'s shard label`);
    }
    // Each replica's watches hold its own shards' objects only (ADR 0026): one ConfigMap per Environment.
    const ownedBy = (r: string) => ENVIRONMENTS.filter((e) => split.get(shardOfEnv(e)) === r).length;
    const watchedConfigMaps = async (op: OperatorProcess) =>
      Number((await op.metrics()).match(/^keelson_watched_objects\{kind="ConfigMap"\} (\d+)$/m)?.[1] ?? -1);
    await eventually(async () => (await watchedConfigMaps(a)) === ownedBy('replica-a'), {
      message: `replica-a watching its ${ownedBy('replica-a')} ConfigMaps`,
    });
    assert.equal(await watchedConfigMaps(replicas.get('replica-b')!), ownedBy('replica-b'));
    const metrics = await a.metrics();
    assert.match(metrics, /^keelson_shard_replicas 2$/m);
    const held = [...metrics.matchAll(/^keelson_shard_held\{shard="(\d)"\} 1$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      held.sort(),
      [...split].filter(([, r]) => r === 'replica-a').map(([s]) => s),
    );
  });

  it('takes a killed replica’s shards within the lease duration and finishes its sync, the hook run once', async (t) => {
    const commit = await story.repo.commit(hookedDeployRepo('v2', 8, ENVIRONMENTS), 'v2 with a slow migration');
    await story.refresh();
    const env = ENVIRONMENTS[0]!;
    const victim = (await holders()).get(shardOfEnv(env))!;
    const survivor = victim === 'replica-a' ? 'replica-b' : 'replica-a';
    const opId = await midSync(env, commit);
    const jobs = await hookJobs(env, opId);
    assert.equal(jobs.length, 1);
    await replicas.get(victim)!.kill();
    const killedAt = Date.now();
    await holding({ [survivor]: SHARDS }, 30_000);
    const takeover = (Date.now() - killedAt) / 1000;
    t.diagnostic(`the shards of the killed replica were taken ${takeover.toFixed(1)} s after the kill`);
    // Expiry is judged by when the survivor saw the Lease change (renewed every 2 s), plus one look.
    assert.ok(takeover < LEASE_SECONDS + 3, `taken over after ${takeover} s`);
    const done = await story.until(
      env,
      `${env}'s sync finished by ${survivor}`,
      (e) => e.status?.operation?.id === opId && e.status.operation.phase === 'Succeeded',
      { timeoutMs: 60_000 },
    );
    assert.equal(commitOf(done.status!.operation!.revision), commit);
    const after = await hookJobs(env, opId);
    assert.deepEqual(
      after.map((j) => j.metadata?.uid),
      jobs.map((j) => j.metadata?.uid),
      'the same hook Job: it ran once',
    );
    await allSynced(commit, await holders());
  });

  it('moves half the shards to a replica that joins; one paused mid-sync writes nothing after it wakes', async (t) => {
    const survivor = [...(await holders()).values()][0]!;
    const before = await holders();
    const c = await start('replica-c', await auditedKubeconfig(kc, 'sharding-replica-c'));
    const split = await holding({ [survivor]: 2, 'replica-c': 2 });
    const moved = [...before].filter(([s, r]) => split.get(s) !== r).length;
    assert.equal(moved, SHARDS / 2, 'a second replica takes half, and only half, of the shards');

    const commit = await story.repo.commit(hookedDeployRepo('v3', 10, ENVIRONMENTS), 'v3 with a slower migration');
    await story.refresh();
    const env = ENVIRONMENTS.find((e) => split.get(shardOfEnv(e)) === 'replica-c');
    assert.ok(env, 'replica-c holds the shard of an Environment');
    const opId = await midSync(env, commit);
    const jobs = await hookJobs(env, opId);
    const startedAt = Date.now();
    // The control: replica-c's writes are in the audit log (the check below can fail).
    await eventually(async () => writesOf(auditedRequests('sharding-replica-c', 0, Date.now())).length > 0, {
      timeoutMs: 10_000,
      message: 'replica-c’s writes in the audit log',
    });

    c.pause();
    const pausedAt = Date.now();
    await holding({ [survivor]: SHARDS }, 30_000);
    t.diagnostic(`a paused replica's shards were taken ${((Date.now() - pausedAt) / 1000).toFixed(1)} s after SIGSTOP`);
    await story.until(
      env,
      `${env}'s sync finished by ${survivor}`,
      (e) => e.status?.operation?.id === opId && e.status.operation.phase === 'Succeeded',
      { timeoutMs: 60_000 },
    );

    const logged = c.logs().length;
    c.resume();
    const resumedAt = Date.now();
    // Until it takes a shard again (it rejoins, and is given back half), it may write only its Leases.
    let retakenAt = resumedAt + 20_000;
    await eventually(
      async () => {
        const line = c
          .logs()
          .slice(logged)
          .split('\n')
          .find((l) => l.includes('"took a shard"'));
        if (line) retakenAt = Date.parse((JSON.parse(line) as { time: string }).time);
        return line !== undefined;
      },
      { timeoutMs: 30_000, message: 'replica-c taking a shard again' },
    );
    await sleep(2500); // the audit log is written in batches, a second apart
    const stale = writesOf(auditedRequests('sharding-replica-c', resumedAt, retakenAt));
    assert.deepEqual(stale, [], 'no write between waking and holding a shard again');
    assert.match(c.logs().slice(logged), /"no longer holds a shard".*"why":"(taken|expired)"/);
    assert.ok(startedAt < pausedAt);
    assert.deepEqual(
      (await hookJobs(env, opId)).map((j) => j.metadata?.uid),
      jobs.map((j) => j.metadata?.uid),
      'the hook ran once',
    );
    await allSynced(commit, await holding({ [survivor]: 2, 'replica-c': 2 }));
  });
});

/** Requests that change something, other than the replica's own Leases. */
function writesOf(requests: ReturnType<typeof auditedRequests>) {
  return requests.filter(
    (r) => ['create', 'update', 'patch', 'delete'].includes(r.verb) && !r.dryRun && r.resource !== 'leases',
  );
}
