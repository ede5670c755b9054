// Upgrading the operator (issue 22, "Upgrades"): the previous release's operator syncs the
// Environments, stops the way a rolling update stops it (SIGTERM), and this commit's operator
// starts on the same cache. Every Environment stays Synced and Healthy; the new operator
// compares each of them once and writes nothing to what they manage: no apply, no hook run
// again, no new operation, as the API server's audit log of its requests shows. The chart's
// side of an upgrade is test/e2e/chart/chart-upgrade.test.ts; CRDs, chart-crds.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { auditedKubeconfig, auditedRequests } from '../../harness/audit-log.ts';
import { hookedDeployRepo } from '../../harness/hooked-deploy-repo.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { runtimeTreeAt } from '../../harness/runtime-tree.ts';
import { Story } from '../../harness/story.ts';

/**
 * The operator before this one: the last commit before sharding changed the reconcile path.
 * There is no released operator yet; once there is, this is its tag.
 */
const PREVIOUS = 'b90f432';
const ENVIRONMENTS = ['dev', 'prod'];

const kc = loadKubeConfig();
const batch = kc.makeApiClient(k8s.BatchV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);

describe(`upgrading the operator from ${PREVIOUS}`, () => {
  const story = new Story(kc);
  const started: OperatorProcess[] = [];
  before(async () => {
    await story.setUp({
      prefix: 'upgrade',
      files: hookedDeployRepo('v1', 1, ENVIRONMENTS),
      environments: Object.fromEntries(
        ENVIRONMENTS.map((e) => [e, { sync: { automated: { prune: true, selfHeal: true } } }]),
      ),
    });
  });
  after(async () => {
    for (const op of started) await op.kill();
    await story.tearDown();
  });

  /** What an upgrade must leave alone: each Environment's last operation and history, its objects and hook Jobs. */
  const snapshot = async () => {
    const out: Record<string, unknown> = {};
    for (const env of ENVIRONMENTS) {
      const s = (await story.environment(env)).status!;
      const ns = story.targets[env]!;
      const jobs = (await batch.listNamespacedJob({ namespace: ns })).items;
      const configMaps = (await core.listNamespacedConfigMap({ namespace: ns })).items;
      out[env] = {
        operation: [s.operation?.id, s.operation?.phase, s.operation?.revision],
        history: s.history?.map((h) => h.id),
        sync: s.sync,
        health: s.health?.status,
        jobs: jobs.map((j) => `${j.metadata!.name}@${j.metadata!.uid}`).sort(),
        configMaps: configMaps.map((c) => `${c.metadata!.name}@${c.metadata!.resourceVersion}`).sort(),
      };
    }
    return out;
  };

  it('keeps every Environment synced, runs no hook again and applies nothing', async (t) => {
    const previous = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      identity: 'keelson-previous',
      tree: await runtimeTreeAt(PREVIOUS),
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
    started.push(previous);
    await previous.start();
    for (const env of ENVIRONMENTS)
      await story.until(
        env,
        `${env} synced by the previous operator`,
        (e) =>
          e.status?.operation?.phase === 'Succeeded' &&
          e.status.sync?.status === 'Synced' &&
          e.status.health?.status === 'Healthy',
        { timeoutMs: 120_000 },
      );
    await sleep(2000); // its last status writes
    const before = await snapshot();
    assert.equal(await previous.stop(), 0, 'the previous operator stopped cleanly');

    const current = new OperatorProcess({
      kubeconfig: await auditedKubeconfig(kc, 'upgraded-operator'),
      identity: 'keelson-current',
      cacheDir: previous.cacheDir,
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
    started.push(current);
    const from = Date.now();
    await current.start();
    // Each Environment reconciled (compared) at least once by the new operator.
    await eventually(
      async () => {
        const lines = (await current.metrics())
          .split('\n')
          .filter((l) => l.startsWith('keelson_reconcile_duration_seconds_count{kind="Environment"'));
        return lines.reduce((n, l) => n + Number(l.split(' ').pop()), 0) >= ENVIRONMENTS.length;
      },
      { timeoutMs: 60_000, message: 'the new operator reconciling every Environment' },
    );
    await sleep(5000); // what a storm would do next, and the audit log's batch
    const requests = auditedRequests('upgraded-operator', from, Date.now());
    const writes = requests.filter(
      (r) =>
        ['create', 'update', 'patch', 'delete'].includes(r.verb) &&
        !r.dryRun &&
        !['events', 'leases', 'environments/status'].includes(r.resource),
    );
    t.diagnostic(
      `the new operator's first ${Math.round((Date.now() - from) / 1000)} s: ${requests.length} requests ` +
        `for ${ENVIRONMENTS.length} Environments (watches included), ${writes.length} writes to what they manage`,
    );
    assert.deepEqual(writes, [], 'no apply, prune or hook: nothing it manages written');
    assert.deepEqual(await snapshot(), before, 'the same operations, history, objects and hook Jobs');
    assert.ok(requests.length > 0, 'the audit log saw the new operator (the check above can fail)');
    await current.stop();
  });
});
