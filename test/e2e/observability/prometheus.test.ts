// The chart's dashboard and alerts against a real Prometheus scraping a real operator: the
// operator syncs a small environment (with a PreSync hook) and a manual one waits; every
// panel's query and every alert rule is valid PromQL over the series the operator exports,
// and the ones that should show something do; a first failed sync fires KeelsonSyncFailed;
// stopping the operator makes KeelsonOperatorDown pending. The rules' own logic is unit-tested by promtool
// (alerts.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { hookedDeployRepo } from '../../harness/hooked-deploy-repo.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { Prometheus } from '../../harness/prometheus.ts';
import { Story } from '../../harness/story.ts';

const CHART = join(REPO_ROOT, 'charts', 'keelson');
const RULES = join(CHART, 'rules', 'keelson-alerts.yaml');
const kc = loadKubeConfig();

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: readonly { readonly expr: string }[];
}

/** A panel's query as Grafana sends it: the dashboard's variables filled in. */
function resolve(expr: string, namespace: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$namespace', namespace);
}

describe('dashboard and alerts on a real Prometheus', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  let prom: Prometheus;
  const dashboard = JSON.parse(readFileSync(join(CHART, 'dashboards', 'keelson.json'), 'utf8')) as { panels: Panel[] };

  before(async () => {
    await story.setUp({
      prefix: 'prom',
      files: hookedDeployRepo('v1', 0, ['dev', 'prod']),
      environments: { dev: { sync: { automated: { prune: true } }, retry: { limit: 0 } }, prod: {} },
    });
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
    await operator.start();
    await story.until(
      'dev',
      'dev synced and healthy',
      (e) => e.status?.operation?.phase === 'Succeeded' && e.status.health?.status === 'Healthy',
      { timeoutMs: 60_000 },
    );
    await story.until('prod', 'prod compared', (e) => e.status?.sync?.status === 'OutOfSync');
    prom = await Prometheus.start({ targets: { keelson: [`127.0.0.1:${operator.metricsPort}`] }, ruleFiles: [RULES] });
    // rate() and increase() need two samples in their window: a few scrapes (one a second).
    await eventually(
      async () => Number((await prom.query('count_over_time(up{job="keelson"}[1m])'))[0]?.value[1] ?? 0) >= 3,
      { message: 'the operator scraped three times', timeoutMs: 20_000 },
    );
  });
  after(async () => {
    await prom?.stop();
    await operator?.kill();
    await story.tearDown();
  });

  it('shows the Environments as the operator sees them', async () => {
    const info = await prom.query(`keelson_environment_info{namespace="${story.ns}"}`);
    const byName = Object.fromEntries(info.map((s) => [s.metric.name, s.metric]));
    assert.equal(byName.dev?.sync_status, 'Synced');
    assert.equal(byName.dev?.health_status, 'Healthy');
    assert.equal(byName.dev?.automated, 'true');
    assert.equal(byName.prod?.sync_status, 'OutOfSync');
    assert.equal(byName.prod?.automated, 'false');
  });

  it('answers every panel of the dashboard, and the panels that must show something do', async () => {
    const empty: string[] = [];
    let queries = 0;
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        // A query Prometheus refuses throws here, naming the expression and the error.
        const result = await prom.query(resolve(target.expr, story.ns));
        queries++;
        if (result.length === 0) empty.push(panel.title);
      }
    }
    assert.ok(queries >= 15, `${queries} queries`);
    // Histograms over 1m need two scrapes with observations in between, and no drift or
    // failure happened: those may be empty this early. The rest describe what just happened.
    const mayBeEmpty = new Set([
      'Sync duration',
      'Drift corrected per hour',
      'Reconcile duration p95',
      'Synthesis duration p95',
      'Git request duration p95',
    ]);
    assert.deepEqual(
      empty.filter((t) => !mayBeEmpty.has(t)),
      [],
      'panels without data',
    );
    const [environments] = await prom.query(
      resolve(
        dashboard.panels.find((p) => p.title === 'Environments' && p.type === 'stat')!.targets![0]!.expr,
        story.ns,
      ),
    );
    assert.equal(environments?.value[1], '2');
    const [outOfSync] = await prom.query(
      resolve(dashboard.panels.find((p) => p.title === 'OutOfSync')!.targets![0]!.expr, story.ns),
    );
    assert.equal(outOfSync?.value[1], '1', 'prod waits for a person');
    const hooks = await prom.query(
      resolve(dashboard.panels.find((p) => p.title === 'Hook runs per hour')!.targets![0]!.expr, story.ns),
    );
    assert.ok(
      hooks.some((s) => s.metric.phase === 'PreSync' && s.metric.result === 'Succeeded'),
      JSON.stringify(hooks),
    );
  });

  it('evaluates every alert rule without error, none firing for a healthy operator', async () => {
    // Evaluated after the first scrape (before it, `up` is absent and KeelsonOperatorDown pending).
    const rules = await eventually(
      async () => {
        const r = await prom.rules();
        const state = (name: string) => r.find((x) => x.name === name)?.state;
        return (
          r.length > 0 &&
          r.every((x) => x.health !== 'unknown') &&
          state('KeelsonOperatorDown') === 'inactive' &&
          state('KeelsonManualSyncPending') === 'pending' &&
          r
        );
      },
      { message: 'the rules evaluated over the scraped series (each group on its own schedule)', timeoutMs: 20_000 },
    );
    const names = rules.map((r) => r.name).sort();
    assert.deepEqual(names, [
      'KeelsonEnvironmentDegraded',
      'KeelsonEnvironmentOutOfSync',
      'KeelsonGitSourceFailing',
      'KeelsonHookFailed',
      'KeelsonKubernetesRequestErrors',
      'KeelsonManualSyncPending',
      'KeelsonNotificationsFailing',
      'KeelsonOperatorDown',
      'KeelsonReconcileErrors',
      'KeelsonSyncFailed',
    ]);
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError ?? ''}`);
    // prod is OutOfSync and manual: pending for a day, not firing; nothing else even pending.
    assert.deepEqual(
      rules.filter((r) => r.state !== 'inactive').map((r) => `${r.name} ${r.state}`),
      ['KeelsonManualSyncPending pending'],
    );
  });

  it('fires KeelsonSyncFailed on the first failed sync of an Environment', async () => {
    // A revision the API server refuses (a data key with a space): dev's automated sync fails its
    // validation, once (no retries), so the Failed series appears at 1 and stays there.
    await story.repo.commit(
      {
        'main.ts': `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Broken extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    new ApiObject(this, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { 'log level': 'debug' } });
  }
}

export default defineEnvironments({ dev: (env) => { new Broken(env, 'broken'); }, prod: (env) => { new Broken(env, 'broken'); } });
`,
      },
      'a ConfigMap the API server refuses',
    );
    await story.refresh();
    await story.until('dev', 'the sync of the broken revision failed', (e) => e.status?.operation?.phase === 'Failed', {
      timeoutMs: 60_000,
    });
    const fired = await eventually(
      async () => {
        const rule = (await prom.rules()).find((r) => r.name === 'KeelsonSyncFailed');
        return rule?.state === 'firing' && rule;
      },
      { message: 'KeelsonSyncFailed firing', timeoutMs: 30_000 },
    );
    assert.deepEqual(
      fired.alerts?.map((a) => `${a.labels.namespace}/${a.labels.name}`),
      [`${story.ns}/dev`],
    );
  });

  it('makes KeelsonOperatorDown pending once the operator is gone', async () => {
    await operator.stop();
    await eventually(
      async () => (await prom.rules()).find((r) => r.name === 'KeelsonOperatorDown')?.state === 'pending',
      { message: 'KeelsonOperatorDown pending', timeoutMs: 20_000 },
    );
  });
});
