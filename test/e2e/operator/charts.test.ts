// The operator syncs a deploy repository that holds what teams bring from Argo CD: a chart
// of a private chart repository (credentials from a Secret named by spec.chartRepositories),
// a Kustomize overlay and a plain YAML file, rendered by real helm and kustomize. When the
// chart repository is down, the objects of the last sync stay, the Synthesized condition
// says why, and the sync goes on once it is back. The password never leaves the Secret.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ChartRepo } from '../../harness/chart-repo.ts';
import { eventually, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
const PASSWORD = 'chart-pw-7f3a9c';

function deployRepo(repoUrl: string, version: string, replicas: number): Record<string, string> {
  return {
    'main.ts': `import { App, defineEnvironments, Kustomization } from '@keelson/cdk8s-app';
import { Helm, Include } from 'cdk8s';

export default defineEnvironments({
  dev: (env) => {
    new Helm(new App(env, 'web'), 'chart', {
      chart: 'podinfo-lite', repo: '${repoUrl}', version: '${version}', releaseName: 'web', values: { replicaCount: ${replicas} },
    });
    new Kustomization(new App(env, 'settings'), 'prod', { path: 'kustomize/overlays/prod' });
    new Include(new App(env, 'plain'), 'manifests', { url: 'manifests' });
  },
});
`,
    'kustomize/base/kustomization.yaml': 'resources: [cm.yaml]\n',
    'kustomize/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: base}\n',
    'kustomize/overlays/prod/kustomization.yaml': 'resources: [../../base]\nnamePrefix: prod-\n',
    'manifests/sa.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: plain}\n',
  };
}

describe('an environment of a Helm chart repository, Kustomize and plain YAML', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  let charts: ChartRepo;
  let newer: string;

  before(async () => {
    charts = await ChartRepo.start({ username: 'deploy', password: PASSWORD });
    await charts.addChart(join(REPO_ROOT, 'test', 'fixtures', 'charts', 'podinfo-lite'));
    newer = mkdtempSync(join(tmpdir(), 'keelson-chart-'));
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'charts', 'podinfo-lite'), newer, { recursive: true });
    writeFileSync(
      join(newer, 'Chart.yaml'),
      readFileSync(join(newer, 'Chart.yaml'), 'utf8').replace(/^version: .*$/m, 'version: 1.3.0'),
    );
    await story.setUp({
      prefix: 'charts',
      files: deployRepo(charts.url, '1.2.0', 2),
      secrets: { charts: { username: 'deploy', password: PASSWORD } },
      environments: {
        dev: {
          sync: { automated: { prune: true } },
          chartRepositories: [{ url: charts.url, secretRef: { name: 'charts' } }],
        },
      },
    });
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
    await operator.start();
  });
  after(async () => {
    await operator?.kill();
    await story.tearDown();
    await charts.dispose();
    rmSync(newer, { recursive: true, force: true });
  });

  it("syncs the chart with the Secret's credentials, the overlay and the YAML file", async () => {
    await story.until(
      'dev',
      'synced',
      (e) => e.status?.operation?.phase === 'Succeeded' && e.status.sync?.status === 'Synced',
      { timeoutMs: 60_000 },
    );
    const ns = story.targets.dev!;
    const web = await apps.readNamespacedDeployment({ namespace: ns, name: 'web-podinfo-lite' });
    assert.equal(web.spec?.replicas, 2);
    assert.equal((await core.readNamespacedConfigMap({ namespace: ns, name: 'prod-settings' })).data?.mode, 'base');
    await core.readNamespacedServiceAccount({ namespace: ns, name: 'plain' });
  });

  it('a chart repository that is down keeps the last sync and says why; back, the new version syncs', async () => {
    await charts.addChart(newer);
    await charts.stop();
    const commit = await story.repo.commit(deployRepo(charts.url, '1.3.0', 3), 'podinfo-lite 1.3.0');
    await story.refresh();
    const env = await story.until(
      'dev',
      'synthesis waits for the chart repository',
      (e) =>
        e.status?.conditions?.some(
          (c) => c.type === 'Synthesized' && c.status === 'False' && c.reason === 'ChartUnavailable',
        ) === true,
      { timeoutMs: 60_000 },
    );
    const synthesized = env.status!.conditions!.find((c) => c.type === 'Synthesized')!;
    assert.match(synthesized.message, new RegExp(`the chart repository ${charts.url} cannot be reached`));
    assert.equal(
      (await apps.readNamespacedDeployment({ namespace: story.targets.dev!, name: 'web-podinfo-lite' })).spec?.replicas,
      2,
    );
    await charts.resume();
    await story.until(
      'dev',
      'the new version synced',
      (e) => commitOf(e.status?.operation?.revision) === commit && e.status?.operation?.phase === 'Succeeded',
      { timeoutMs: 90_000 },
    );
    assert.equal(
      (await apps.readNamespacedDeployment({ namespace: story.targets.dev!, name: 'web-podinfo-lite' })).spec?.replicas,
      3,
    );
  });

  it('the chart repository password appears in no status, event or log', async () => {
    const env = await story.environment('dev');
    assert.ok(!JSON.stringify(env).includes(PASSWORD), 'the Environment holds the password');
    const events = await eventually(async () => (await core.listNamespacedEvent({ namespace: story.ns })).items, {
      timeoutMs: 5000,
    });
    assert.ok(!JSON.stringify(events).includes(PASSWORD), 'an event holds the password');
    assert.ok(!operator.logs().includes(PASSWORD), 'the operator log holds the password');
    assert.ok(operator.logs().length > 0);
  });
});
