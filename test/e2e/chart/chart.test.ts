// The Helm chart against the real control plane: lint, the rendered objects accepted by a
// server-side dry-run for both RBAC scopes, a values typo refused, install, and an uninstall
// that leaves nothing of Keelson behind but the CRDs; the alerts and the dashboard rendered
// from the files the observability tests check.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ensureBinaries } from '../../harness/binaries.ts';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { releaseLeftovers } from '../../harness/helm-release.ts';

const run = promisify(execFile);
const CHART = join(REPO_ROOT, 'charts', 'keelson');
const kc = loadKubeConfig();
let helm = '';
let ns = '';
const extraNamespaces: string[] = [];

function kubectlApplyDryRun(manifests: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['apply', '--server-side', '--dry-run=server', '-f', '-'], { env: process.env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl exited ${code}: ${err}`))));
    child.stdin.end(manifests);
  });
}

async function helmRun(args: string[]): Promise<string> {
  const { stdout } = await run(helm, args, { env: process.env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

describe('charts/keelson', () => {
  before(async () => {
    helm = (await ensureBinaries()).helm;
    ns = await createTestNamespace(kc, 'chart');
  });
  after(async () => {
    for (const n of [ns, ...extraNamespaces]) await deleteNamespace(kc, n);
  });

  it('passes helm lint', async () => {
    const out = await helmRun(['lint', CHART, '--strict', '--namespace', ns]);
    assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders objects the API server accepts with cluster-wide RBAC', async () => {
    const manifests = await helmRun(['template', `dry-${process.pid}`, CHART, '--namespace', ns]);
    const out = await kubectlApplyDryRun(manifests);
    for (const kind of [
      'serviceaccount',
      'clusterrole',
      'clusterrolebinding',
      'role',
      'rolebinding',
      'service',
      'deployment',
    ]) {
      assert.match(out, new RegExp(`^${kind}[./]`, 'm'), `no ${kind} in the dry-run`);
    }
    assert.match(manifests, /resources: \["\*"\]/);
  });

  it('renders only namespaced applier rights with scope=namespaced', async () => {
    const a = await createTestNamespace(kc, 'chart-team-a');
    const b = await createTestNamespace(kc, 'chart-team-b');
    extraNamespaces.push(a, b);
    const manifests = await helmRun([
      'template',
      `ns-${process.pid}`,
      CHART,
      '--namespace',
      ns,
      '--set',
      'rbac.scope=namespaced',
      '--set',
      `rbac.namespaces={${a},${b}}`,
    ]);
    await kubectlApplyDryRun(manifests);
    const docs = k8s.loadAllYaml(manifests) as k8s.KubernetesObject[];
    const applierRoles = docs.filter((d) => d.kind === 'Role' && d.metadata?.name?.endsWith('-applier'));
    assert.deepEqual(applierRoles.map((r) => r.metadata?.namespace).sort(), [a, b, ns].sort());
    const clusterRoles = docs.filter((d) => d.kind === 'ClusterRole') as k8s.V1ClusterRole[];
    assert.equal(clusterRoles.length, 1);
    assert.ok(
      !clusterRoles[0]!.rules!.some((r) => r.resources?.includes('*')),
      'namespaced scope must not grant */* cluster-wide',
    );
    const deployment = docs.find((d) => d.kind === 'Deployment') as k8s.V1Deployment;
    assert.ok(deployment.spec!.template.spec!.containers[0]!.args!.includes(`--namespaces=${[a, b, ns].join(',')}`));
  });

  it('refuses a misspelled value, naming it', async () => {
    const err = await helmRun(['template', 'typo', CHART, '--set', 'replicaz=2']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.match(String((err as { stderr?: string })?.stderr ?? err), /additional properties 'replicaz' not allowed/);
    const err2 = await helmRun(['template', 'typo', CHART, '--set', 'rbac.scope=namespaced']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.match(String((err2 as { stderr?: string })?.stderr ?? err2), /rbac\/namespaces'?: minItems/);
  });

  it('renders the alerts from the rule file promtool tests, and a dashboard ConfigMap the API server accepts', async () => {
    const manifests = await helmRun([
      'template',
      `obs-${process.pid}`,
      CHART,
      '--namespace',
      ns,
      '--set',
      'prometheusRule.enabled=true',
      '--set',
      'grafanaDashboard.enabled=true',
      '--set',
      'prometheusRule.labels.release=prom',
    ]);
    const docs = parseAllDocuments(manifests)
      .map(
        (d) =>
          d.toJSON() as {
            kind?: string;
            metadata?: { labels?: Record<string, string> };
            spec?: { groups?: unknown };
            data?: Record<string, string>;
          },
      )
      .filter((d) => d?.kind);
    const rule = docs.find((d) => d.kind === 'PrometheusRule');
    assert.equal(rule?.metadata?.labels?.release, 'prom');
    const file = parse(readFileSync(join(CHART, 'rules', 'keelson-alerts.yaml'), 'utf8')) as { groups: unknown };
    assert.deepEqual(
      rule?.spec?.groups,
      file.groups,
      "the PrometheusRule carries the rule file unchanged (its {{ $labels }} templates are Prometheus's)",
    );
    const dashboard = docs.find((d) => d.kind === 'ConfigMap' && d.metadata?.labels?.grafana_dashboard === '1');
    assert.deepEqual(
      JSON.parse(dashboard?.data?.['keelson.json'] ?? '{}'),
      JSON.parse(readFileSync(join(CHART, 'dashboards', 'keelson.json'), 'utf8')),
    );
    const out = await kubectlApplyDryRun(stringify(dashboard));
    assert.match(out, /configmap\/obs-\d+-keelson-dashboard serverside-applied/);
  });

  it('installs, runs the operator pod, and uninstalls leaving only the CRDs', async () => {
    const release = `keelson-${process.pid}`;
    await helmRun(['install', release, CHART, '--namespace', ns, '--set', 'replicas=2', '--wait', '--timeout', '90s']);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const d = await apps.readNamespacedDeployment({ name: release, namespace: ns });
    assert.equal(d.status?.readyReplicas, 2);
    const pod = d.spec!.template.spec!;
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(pod.containers[0]!.securityContext?.readOnlyRootFilesystem, true);
    assert.ok(pod.containers[0]!.args!.includes('--leader-elect'), 'two replicas elect a leader');
    const notes = await helmRun(['get', 'notes', release, '--namespace', ns]);
    assert.match(notes, /kubectl get environments/);

    await helmRun(['uninstall', release, '--namespace', ns, '--wait']);
    await eventually(async () => (await releaseLeftovers(kc, release, ns)).length === 0, {
      message: 'no object of the release left after uninstall',
    });
    const crds = await kc.makeApiClient(k8s.ApiextensionsV1Api).listCustomResourceDefinition();
    const names = crds.items.map((c) => c.metadata?.name);
    assert.ok(
      names.includes('environments.keelson.dev') && names.includes('gitrepositories.keelson.dev'),
      'the CRDs stay (Helm convention)',
    );
  });

  it('with sharding: a Lease per shard, --shards instead of --leader-elect, and none left after uninstall', async () => {
    const release = `keelson-shards-${process.pid}`;
    const sharded = ['--set', 'replicas=2', '--set', 'sharding.enabled=true', '--set', 'sharding.shards=4'];
    await helmRun(['install', release, CHART, '--namespace', ns, ...sharded, '--wait', '--timeout', '90s']);
    const d = await kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: release, namespace: ns });
    const args = d.spec!.template.spec!.containers[0]!.args!;
    assert.ok(args.includes('--shards=4') && args.includes(`--lease-name=${release}`), args.join(' '));
    assert.ok(!args.includes('--leader-elect'), 'no leader with shards');
    const leases = await kc.makeApiClient(k8s.CoordinationV1Api).listNamespacedLease({
      namespace: ns,
      labelSelector: `keelson.dev/lease-group=${release},keelson.dev/lease-role=shard`,
    });
    assert.deepEqual(
      leases.items.map((l) => l.metadata?.name).sort(),
      [0, 1, 2, 3].map((i) => `${release}-shard-${i}`),
    );
    await helmRun(['uninstall', release, '--namespace', ns, '--wait']);
    await eventually(async () => (await releaseLeftovers(kc, release, ns)).length === 0, {
      message: 'no Lease of the release left after uninstall',
    });
  });
});
