// Issue 21, other clusters: `dev` on the operator's own control plane, `prod` on a second one
// started here and registered with `keelson cluster add`. prod is applied, self-healed, pruned
// and assessed there; when the second API server stops in the middle of a sync, prod says
// ClusterUnreachable while dev syncs the same commit normally, and prod finishes by itself once
// the server is back. The cluster's client key never shows in logs, events, status or metrics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import { runKeelson } from '../../harness/cli.ts';
import { ControlPlane } from '../../harness/control-plane.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';
import type { EnvironmentResource } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';

const kc = loadKubeConfig();

/** ConfigMaps by name (wave 1), and a Deployment `web` (wave 0) whose health the next wave waits for. */
function deployRepo(names: readonly string[], replicas = 1): Record<string, string> {
  const maps = names
    .map(
      (n) =>
        `    new ApiObject(this, '${n}', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '${n}', annotations: { 'keelson.dev/sync-wave': '1' } }, data: { v: '1' } });`,
    )
    .join('\n');
  return {
    'main.ts': `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Settings extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    new ApiObject(this, 'web', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: ${replicas},
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:${replicas}' }] } },
      },
    });
${maps}
  }
}

const both = (env: any) => { new Settings(env, 'settings'); };
export default defineEnvironments({ dev: both, prod: both });
`,
  };
}

const cli = runKeelson;

const condition = (env: EnvironmentResource, type: string) => env.status?.conditions?.find((c) => c.type === type);
const atCommit = (env: EnvironmentResource, commit: string) =>
  commitOf(env.status?.sync?.revision) === commit && env.status?.sync?.status === 'Synced';

describe('an Environment on another cluster', () => {
  const story = new Story(kc);
  const automated = { sync: { automated: { prune: true, selfHeal: true } } };
  let second: ControlPlane;
  let kc2: k8s.KubeConfig;
  let operator: OperatorProcess;
  const configMap = (api: k8s.KubeConfig, ns: string, name: string) =>
    api
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedConfigMap({ name, namespace: ns })
      .then(
        (cm) => cm,
        () => undefined,
      );

  before(async () => {
    second = await ControlPlane.start({ nodes: 1 });
    kc2 = loadKubeConfig(second.kubeconfig);
    await story.setUp({ prefix: 'clusters', files: deployRepo(['a', 'b']), environments: { dev: automated } });
    // prod's target namespace exists on the second cluster only.
    story.targets.prod = `${story.targets.dev}-prod`;
    await kc2.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: story.targets.prod } } });
    const added = await cli('cluster', 'add', 'second', '--from-kubeconfig', second.kubeconfig, '-n', story.ns);
    assert.equal(added.code, 0, added.out);
    await story.create('Environment', 'prod', {
      sourceRef: { name: 'deploy' },
      environment: 'prod',
      targetNamespace: story.targets.prod,
      destination: { secretRef: { name: 'second' } },
      ...automated,
    });
    operator = await story.startOperator();
  });
  after(async () => {
    await operator?.stop();
    await story.tearDown();
    await second?.stop();
  });

  it('spec.destination: applies prod on the cluster its Secret names, and dev on the operator’s own', async () => {
    const prod = await story.until('prod', 'prod Synced and Healthy', (e) => e.status?.health?.status === 'Healthy');
    await story.until('dev', 'dev Synced and Healthy', (e) => e.status?.health?.status === 'Healthy');
    assert.equal(prod.status?.sync?.status, 'Synced');
    assert.ok(await configMap(kc2, story.targets.prod!, 'a'), 'prod applied a on the second cluster');
    assert.equal(await configMap(kc, story.targets.prod!, 'a'), undefined, 'and nothing of prod on the first');
    assert.ok(await configMap(kc, story.targets.dev!, 'a'), 'dev applied a on the first cluster');
    const deployment = await kc2
      .makeApiClient(k8s.AppsV1Api)
      .readNamespacedDeployment({ name: 'web', namespace: story.targets.prod! });
    assert.equal(deployment.status?.readyReplicas, 1, 'health was assessed on the second cluster');
  });

  it('self-heals a hand edit on the other cluster within seconds', async () => {
    const core2 = kc2.makeApiClient(k8s.CoreV1Api);
    await core2.patchNamespacedConfigMap(
      { name: 'a', namespace: story.targets.prod!, body: { data: { v: 'by hand' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await eventually(async () => (await configMap(kc2, story.targets.prod!, 'a'))?.data?.v === '1', {
      timeoutMs: 30_000,
      message: 'the hand edit on the second cluster undone',
    });
  });

  it('other cluster down mid-sync: prod ClusterUnreachable, dev syncs on, prod recovers by itself', async () => {
    const commit = await story.repo.commit(deployRepo(['a', 'c'], 2), 'scale web, drop b, add c');
    await story.refresh();
    await story.until(
      'prod',
      'prod syncing the new commit',
      (e) => e.status?.operation?.phase === 'Running' && commitOf(e.status.operation.revision) === commit,
      { intervalMs: 50 },
    );
    await second.stopApiServer();
    let latest: string;
    try {
      const down = await story.until('prod', 'prod ClusterUnreachable', (e) => {
        const c = condition(e, 'ClusterReachable');
        return c?.status === 'False' && c.reason === 'ClusterUnreachable';
      });
      assert.match(condition(down, 'ClusterReachable')!.message, new RegExp(second.server.replace(/[.:/]/g, '\\$&')));
      assert.equal(condition(down, 'Ready')?.reason, 'ClusterUnreachable');
      assert.match(await operator.metrics(), new RegExp(`keelson_cluster_connected\\{cluster="${second.server}"\\} 0`));
      const listed = await cli('cluster', 'list', '-n', story.ns);
      assert.match(listed.out, new RegExp(`second\\s+${second.server}\\s+${story.ns}/prod\\s+ClusterUnreachable`));
      // dev, on the cluster that answers, syncs a new commit and self-heals meanwhile.
      latest = await story.repo.commit(deployRepo(['a', 'c'], 3), 'scale web to 3');
      await story.refresh();
      await story.until('dev', 'dev synced at the newest commit while the other cluster is down', (e) =>
        atCommit(e, latest),
      );
      await kc
        .makeApiClient(k8s.CoreV1Api)
        .patchNamespacedConfigMap(
          { name: 'a', namespace: story.targets.dev!, body: { data: { v: 'by hand' } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
      await eventually(async () => (await configMap(kc, story.targets.dev!, 'a'))?.data?.v === '1', {
        timeoutMs: 30_000,
        message: 'dev self-healed while the other cluster is down',
      });
      const still = await story.environment('prod');
      assert.equal(
        condition(still, 'ClusterReachable')?.reason,
        'ClusterUnreachable',
        'the other cluster is still down',
      );
    } finally {
      await second.startApiServer();
    }
    const prod = await story.until('prod', 'prod synced at the newest commit after the cluster came back', (e) =>
      atCommit(e, latest),
    );
    assert.equal(condition(prod, 'ClusterReachable')?.status, 'True');
    assert.ok(await configMap(kc2, story.targets.prod!, 'c'), 'c created on the second cluster');
    await eventually(async () => (await configMap(kc2, story.targets.prod!, 'b')) === undefined, {
      message: 'b pruned on the second cluster',
    });
    await story.until('prod', 'prod Healthy at 3 replicas', (e) => e.status?.health?.status === 'Healthy');
    const web = await kc2
      .makeApiClient(k8s.AppsV1Api)
      .readNamespacedDeployment({ name: 'web', namespace: story.targets.prod! });
    assert.equal(web.spec?.replicas, 3);
    assert.match(await operator.metrics(), new RegExp(`keelson_cluster_connected\\{cluster="${second.server}"\\} 1`));
    assert.match(
      await operator.metrics(),
      new RegExp(`keelson_cluster_request_duration_seconds_count\\{cluster="${second.server}"\\}`),
    );
  });

  it('never shows the cluster credentials in logs, events, status or metrics', async () => {
    const key = readFileSync(second.pki.adminKey, 'utf8');
    const keyLine = key.split('\n').find((l) => l.length > 40)!;
    const base64Key = Buffer.from(key).toString('base64').slice(0, 60);
    const events = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace: story.ns });
    const seen = {
      logs: operator.logs(),
      metrics: await operator.metrics(),
      events: JSON.stringify(events.items),
      status: JSON.stringify([(await story.environment('prod')).status, (await story.environment('dev')).status]),
    };
    assert.ok(seen.logs.includes('connecting to a cluster'), 'the logs were read');
    for (const [where, text] of Object.entries(seen)) {
      assert.ok(!text.includes(keyLine), `the client key in ${where}`);
      assert.ok(!text.includes(base64Key), `the encoded client key in ${where}`);
    }
  });

  it('refuses a cluster Secret with an exec plugin, naming Secret and key; keelson cluster add too', async () => {
    const kubeconfig = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: second.server } }],
      users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws' } } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    });
    const file = join(second.dir, 'exec-kubeconfig');
    writeFileSync(file, kubeconfig);
    const added = await cli('cluster', 'add', 'exec', '--from-kubeconfig', file, '-n', story.ns);
    assert.equal(added.code, 1, added.out);
    assert.match(added.out, new RegExp(`cluster Secret ${story.ns}/exec, key "kubeconfig": exec is refused`));
    await kc.makeApiClient(k8s.CoreV1Api).createNamespacedSecret({
      namespace: story.ns,
      body: { metadata: { name: 'exec', labels: { 'keelson.dev/cluster': 'true' } }, stringData: { kubeconfig } },
    });
    await story.create('Environment', 'exec', {
      sourceRef: { name: 'deploy' },
      environment: 'prod',
      targetNamespace: story.targets.prod,
      destination: { secretRef: { name: 'exec' } },
    });
    const stalled = await story.until('exec', 'the exec Environment stalled', (e) => {
      const c = condition(e, 'ClusterReachable');
      return c?.status === 'False' && c.reason === 'ClusterSecretInvalid';
    });
    assert.match(
      condition(stalled, 'ClusterReachable')!.message,
      new RegExp(`cluster Secret ${story.ns}/exec, key "kubeconfig": exec is refused`),
    );
    assert.equal(condition(stalled, 'Stalled')?.status, 'True');
  });

  it('keelson cluster remove refuses while prod uses the cluster, unless --force', async () => {
    const refused = await cli('cluster', 'remove', 'second', '-n', story.ns);
    assert.equal(refused.code, 1);
    assert.match(refused.out, new RegExp(`used by ${story.ns}/prod`));
    const forced = await cli('cluster', 'remove', 'second', '-n', story.ns, '--force');
    assert.equal(forced.code, 0, forced.out);
    // Cluster Secrets are read at each reconcile, not watched: a refresh makes it now.
    const refreshed = await cli('refresh', 'prod', '-n', story.ns);
    assert.equal(refreshed.code, 0, refreshed.out);
    const gone = await story.until('prod', 'prod waits for its cluster Secret', (e) => {
      const c = condition(e, 'ClusterReachable');
      return c?.status === 'False' && c.reason === 'ClusterSecretNotFound';
    });
    assert.match(condition(gone, 'ClusterReachable')!.message, /no Secret "second" labelled keelson.dev\/cluster=true/);
  });
});
