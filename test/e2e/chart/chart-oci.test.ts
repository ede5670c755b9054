// The chart published as an OCI artifact: `helm package`, `helm push --plain-http` to a real
// registry (CNCF distribution on loopback), `helm install oci://…` against the control plane,
// with Helm 3 and with Helm 4. What the release installs: the CRDs (the chart's own files),
// the RBAC bound to its ServiceAccount, the Deployment's arguments, and the Lease the
// operator elects a leader with (taken here by the operator's own LeaderElection, with the
// ServiceAccount's credentials, as a replica does). Then `helm uninstall` leaves no
// ClusterRole, ClusterRoleBinding, webhook configuration, Lease or other object of the release.
// The operator image is not run (kwok's nodes run no containers).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { LeaderElection } from '../../../operator/src/adapters/kubernetes/leader-election.ts';
import { createTestNamespace, deleteNamespace, eventually, loadKubeConfig } from '../../harness/kube.ts';
import { CHART_DIR, helms, operatorArgs, packageChart, releaseLeftovers } from '../../harness/helm-release.ts';
import { OciRegistry } from '../../harness/oci-registry.ts';
import { serviceAccountKubeconfig } from '../../harness/service-account.ts';

const kc = loadKubeConfig();
const version = /^version: (\S+)$/m.exec(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8'))![1]!;

describe('charts/keelson as an OCI artifact', () => {
  let registry: OciRegistry;
  const namespaces: string[] = [];
  before(async () => {
    registry = await OciRegistry.start();
  });
  after(async () => {
    for (const ns of namespaces) await deleteNamespace(kc, ns);
    await registry?.stop();
  });

  for (const major of [3, 4] as const) {
    it(`helm ${major}: pushes, installs from oci:// and uninstalls leaving nothing but the CRDs`, async () => {
      const helm = (await helms()).find((h) => h.major === major)!;
      const ns = await createTestNamespace(kc, `chart-oci${major}`);
      namespaces.push(ns);
      const oci = `oci://${registry.host}/charts${major}`;
      const tgz = await packageChart(helm);
      const home = mkdtempSync(join(tmpdir(), 'keelson-helm-home-'));
      // A helm home of its own: no registry login or cache of another test.
      const env = { ...process.env, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home };
      const run = (args: string[]) => helm.run(args, env);
      await run(['push', tgz, oci, '--plain-http']);
      const tags = (await (await fetch(`http://${registry.host}/v2/charts${major}/keelson/tags/list`)).json()) as {
        tags?: string[];
      };
      assert.deepEqual(tags.tags, [version], 'the chart is in the registry under its version');

      const crds = await run(['show', 'crds', `${oci}/keelson`, '--version', version, '--plain-http']);
      // Helm 3 prints the files one after the other without a `---` between them.
      const shown = [...crds.matchAll(/^kind: CustomResourceDefinition\n(?:.*\n)*?^ {2}name: (\S+)$/gm)].map(
        (m) => m[1],
      );
      // Every CRD of the chart's crds/ (keelson.dev_<plural>.yaml), by its name.
      const files = readdirSync(join(CHART_DIR, 'crds')).filter((f) => f.endsWith('.yaml'));
      const expected = files.map((f) => `${f.replace(/^keelson\.dev_/, '').replace(/\.yaml$/, '')}.keelson.dev`);
      assert.ok(expected.includes('environments.keelson.dev'), files.join(', '));
      assert.deepEqual(shown.sort(), expected.sort());

      const release = `oci${major}-${process.pid}`;
      const fullname = `${release}-keelson`;
      await run(
        ['install', release, `${oci}/keelson`, '--version', version, '--plain-http', '-n', ns].concat([
          '--set',
          'replicas=2',
          helm.wait,
          '--timeout',
          '90s',
        ]),
      );
      const status = JSON.parse(await run(['status', release, '-n', ns, '-o', 'json'])) as { info: { status: string } };
      assert.equal(status.info.status, 'deployed');

      const apiext = kc.makeApiClient(k8s.ApiextensionsV1Api);
      for (const name of shown) {
        const crd = await apiext.readCustomResourceDefinition({ name: name! });
        assert.ok(
          crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'),
          name,
        );
      }
      const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
      for (const name of [`${fullname}-controller`, `${fullname}-applier`]) {
        await rbac.readClusterRole({ name });
        const binding = await rbac.readClusterRoleBinding({ name });
        assert.deepEqual(
          binding.subjects?.map((x) => ({ ...x })),
          [{ kind: 'ServiceAccount', name: fullname, namespace: ns }],
        );
      }
      const args = await operatorArgs(kc, fullname, ns);
      for (const a of ['operator', '--leader-elect', `--lease-name=${fullname}-leader`, '--ui=true'])
        assert.ok(args.includes(a), `${a} in ${args.join(' ')}`);

      // A replica's election with the chart's RBAC takes the chart's Lease (no create needed).
      const saKc = new k8s.KubeConfig();
      saKc.loadFromFile(
        await serviceAccountKubeconfig(kc, { namespace: ns, name: fullname, path: join(home, 'sa.kubeconfig') }),
      );
      const elector = new LeaderElection(saKc, { name: `${fullname}-leader`, namespace: ns, identity: 'replica-a' });
      let leading = false;
      void elector.run(
        () => {
          leading = true;
        },
        () => undefined,
      );
      await eventually(async () => leading, { message: 'the replica takes the Lease' });
      const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
      const lease = await coordination.readNamespacedLease({ name: `${fullname}-leader`, namespace: ns });
      assert.equal(lease.spec?.holderIdentity, 'replica-a');
      assert.equal(lease.metadata?.labels?.['app.kubernetes.io/instance'], release);

      // The upgrade Helm does after a replica renewed the Lease keeps the holder.
      await run(
        ['upgrade', release, `${oci}/keelson`, '--version', version, '--plain-http', '-n', ns].concat([
          '--reuse-values',
          '--set',
          'operator.logLevel=debug',
          helm.wait,
          '--timeout',
          '90s',
        ]),
      );
      const renewed = await coordination.readNamespacedLease({ name: `${fullname}-leader`, namespace: ns });
      assert.equal(renewed.spec?.holderIdentity, 'replica-a', 'helm upgrade leaves the holder alone');
      await elector.stop();

      await run(['uninstall', release, '-n', ns, helm.wait]);
      await eventually(async () => (await releaseLeftovers(kc, release, ns)).length === 0, {
        message: 'nothing of the release left',
      }).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${(await releaseLeftovers(kc, release, ns)).join(', ')}`);
      });
      for (const name of shown) await apiext.readCustomResourceDefinition({ name: name! }); // Helm keeps CRDs
    });
  }
});
