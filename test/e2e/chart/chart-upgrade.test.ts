// `helm upgrade` from the previous chart to this one, with Environments in the cluster:
// Helm 3 to Helm 3, Helm 4 to Helm 4, and a Helm 3 release upgraded by Helm 4. The release
// upgrades cleanly (revision 2 deployed, revision 1 superseded), the Deployment's arguments
// change by exactly what the chart changed, the chart has no hooks (so none can run twice),
// the Environments are not touched by the upgrade, and uninstall leaves nothing behind.
// What this does not cover: the operator process itself across the upgrade (Environments
// staying Synced, no resync storm) needs the operator image, which kwok's nodes do not run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';
import {
  CHART_DIR,
  chartAtRevision,
  helms,
  operatorArgs,
  releaseLeftovers,
  type Helm,
} from '../../harness/helm-release.ts';

/**
 * The chart before this one: the last commit that changed charts/keelson before the web UI
 * (whose chart passes --ui and, since the Lease belongs to the release, --lease-name).
 * There is no released chart yet; once there is, this is its tag.
 */
const PREVIOUS = 'c39ba04';

const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const group = { group: 'keelson.dev', version: 'v1alpha1' };

async function createEnvironments(namespace: string): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...group,
    namespace,
    plural: 'gitrepositories',
    body: {
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'GitRepository',
      metadata: { name: 'deploy' },
      spec: { url: 'https://git.example.com/team/deploy.git', ref: { branch: 'main' }, interval: '1m' },
    },
  });
  for (const name of ['dev', 'prod'])
    await custom.createNamespacedCustomObject({
      ...group,
      namespace,
      plural: 'environments',
      body: {
        apiVersion: 'keelson.dev/v1alpha1',
        kind: 'Environment',
        metadata: { name },
        spec: { sourceRef: { name: 'deploy' }, environment: name },
      },
    });
}

/**
 * What an upgrade could change of Keelson's objects: their spec and metadata (generation,
 * labels, annotations, finalizers). Not status: another test's operator, watching every
 * namespace, may reconcile these objects while this one runs.
 */
async function resourceVersions(namespace: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const plural of ['gitrepositories', 'environments']) {
    const list = (await custom.listNamespacedCustomObject({ ...group, namespace, plural })) as {
      items: (k8s.KubernetesObject & { spec?: unknown })[];
    };
    for (const o of list.items) {
      const { generation, labels, annotations, finalizers } = o.metadata!;
      out[`${plural}/${o.metadata!.name}`] = JSON.stringify([generation, labels, annotations, finalizers, o.spec]);
    }
  }
  return out;
}

describe('helm upgrade from the previous chart', () => {
  let all: Helm[] = [];
  let previous = '';
  const namespaces: string[] = [];
  before(async () => {
    all = await helms();
    previous = await chartAtRevision(PREVIOUS);
  });
  after(async () => {
    for (const ns of namespaces) await deleteNamespace(kc, ns);
  });

  for (const [from, to] of [
    [3, 3],
    [4, 4],
    [3, 4],
  ] as const) {
    it(`installs ${PREVIOUS}'s chart with helm ${from} and upgrades to this one with helm ${to}`, async () => {
      const [installer, upgrader] = [from, to].map((m) => all.find((h) => h.major === m)!) as [Helm, Helm];
      const ns = await createTestNamespace(kc, `chart-up${from}${to}`);
      const team = await createTestNamespace(kc, `chart-up${from}${to}-team`);
      namespaces.push(ns, team);
      const release = `up${from}${to}-${process.pid}`;
      const fullname = `${release}-keelson`;
      const common = ['--namespace', ns, '--set', 'replicas=2', '--timeout', '90s'];

      // The cluster's CRDs (the harness installs this commit's) are newer than the previous
      // chart's: Helm 3 leaves existing CRDs alone, Helm 4 would server-side apply the older ones
      // over them and conflict. CRDs are upgraded the documented way (chart-crds.test.ts).
      await installer.run(['install', release, previous, ...common, '--skip-crds', installer.wait]);
      const before = await operatorArgs(kc, fullname, ns);
      await createEnvironments(team);
      const versions = await resourceVersions(team);

      await upgrader.run(['upgrade', release, CHART_DIR, ...common, upgrader.wait]);
      const history = JSON.parse(await upgrader.run(['history', release, '-n', ns, '-o', 'json'])) as {
        revision: number;
        status: string;
      }[];
      assert.deepEqual(
        history.map((h) => [h.revision, h.status]),
        [
          [1, 'superseded'],
          [2, 'deployed'],
        ],
      );
      const after = await operatorArgs(kc, fullname, ns);
      assert.deepEqual(
        after.filter((a) => !before.includes(a)),
        ['--ui=true', `--lease-name=${fullname}-leader`, '--lease-duration=15s'],
        'the arguments this chart adds',
      );
      assert.deepEqual(
        before.filter((a) => !after.includes(a)),
        [],
        'no argument of the previous chart dropped',
      );
      const d = await kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: fullname, namespace: ns });
      assert.equal(d.status?.readyReplicas, 2, 'the new pods rolled out');
      await kc.makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name: `${fullname}-leader`, namespace: ns });
      for (const revision of ['1', '2'])
        assert.equal(
          (await upgrader.run(['get', 'hooks', release, '-n', ns, '--revision', revision])).trim(),
          '',
          `no hook in revision ${revision}`,
        );
      assert.deepEqual(await resourceVersions(team), versions, 'the upgrade did not write the Environments');

      await upgrader.run(['uninstall', release, '-n', ns, upgrader.wait]);
      await eventually(async () => (await releaseLeftovers(kc, release, ns)).length === 0, {
        message: 'nothing of the release left after uninstall',
      });
    });
  }
});
