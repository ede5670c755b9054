// The CRDs across the release's life, on a control plane of its own (the test deletes the
// CRDs, which the shared one's tests need), with Helm 3 and then Helm 4: installing a chart
// from before the last API change creates its CRDs; `helm upgrade` leaves them as they were
// (Helm's crds/ convention); the upgrade command of docs/operations.md brings them to this
// chart's (a field the old schema pruned is kept); `helm uninstall` leaves only the CRDs; and
// the removal commands of docs/operations.md delete them and every GitRepository and
// Environment, one holding the operator's finalizer included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exec as execCallback } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { ControlPlane } from '../../harness/control-plane.ts';
import { eventually, loadKubeConfig, REPO_ROOT } from '../../harness/kube.ts';
import { CHART_DIR, chartAtRevision, helms, releaseLeftovers } from '../../harness/helm-release.ts';

const exec = promisify(execCallback);
/** The last commit before the one that added spec.npmRegistries to the Environment CRD. */
const BEFORE_API_CHANGE = '1e7b159';

/** The commands docs/operations.md gives, run as written (from the repository's root). */
const UPGRADE_CRDS = 'kubectl apply --server-side --force-conflicts -f charts/keelson/crds/';
const RELEASE_FINALIZERS =
  `kubectl get environments.keelson.dev -A -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.name}{"\\n"}{end}' |\n` +
  `  while read -r ns name; do kubectl patch environment "$name" -n "$ns" --type=merge -p '{"metadata":{"finalizers":null}}'; done`;
const DELETE_CRDS = 'kubectl delete -f charts/keelson/crds/';

const group = { group: 'keelson.dev', version: 'v1alpha1' };
const NPM = [{ url: 'https://npm.example.com/', secretRef: { name: 'npm-token' } }];

describe('the chart CRDs: install, upgrade, uninstall, removal', () => {
  let cp: ControlPlane;
  let kc: k8s.KubeConfig;
  let env: NodeJS.ProcessEnv;
  const sh = (command: string) => exec(command, { cwd: REPO_ROOT, env, shell: '/bin/bash' });
  before(async () => {
    cp = await ControlPlane.start({ nodes: 1 });
    kc = loadKubeConfig(cp.kubeconfig);
    env = { ...process.env, KUBECONFIG: cp.kubeconfig };
  });
  after(async () => {
    await cp?.stop();
  });

  it('docs/operations.md gives these commands', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
    for (const command of [UPGRADE_CRDS, RELEASE_FINALIZERS, DELETE_CRDS]) assert.ok(doc.includes(command), command);
  });

  for (const major of [3, 4] as const) {
    it(`helm ${major}: upgrades the CRDs the documented way and removes them with every Keelson object`, async () => {
      const helm = (await helms()).find((h) => h.major === major)!;
      const previous = await chartAtRevision(BEFORE_API_CHANGE);
      const ns = 'keelson-system';
      const release = `keelson${major}`;
      const custom = kc.makeApiClient(k8s.CustomObjectsApi);
      const apiext = kc.makeApiClient(k8s.ApiextensionsV1Api);
      const npmInSchema = async () => {
        const crd = await apiext.readCustomResourceDefinition({ name: 'environments.keelson.dev' });
        return 'npmRegistries' in (crd.spec.versions[0]!.schema!.openAPIV3Schema!.properties!.spec!.properties ?? {});
      };
      const createEnvironment = async (name: string, spec: Record<string, unknown>, finalizers?: string[]) =>
        (await custom.createNamespacedCustomObject({
          ...group,
          namespace: 'default',
          plural: 'environments',
          body: { apiVersion: 'keelson.dev/v1alpha1', kind: 'Environment', metadata: { name, finalizers }, spec },
        })) as { spec: Record<string, unknown> };

      const common = ['--namespace', ns, '--set', 'replicas=0', helm.wait, '--timeout', '90s'];
      await helm.run(['install', release, previous, '--create-namespace', ...common], env);
      await eventually(async () => (await apiext.listCustomResourceDefinition()).items.length >= 2, {
        message: "the old chart's CRDs",
      });
      assert.equal(await npmInSchema(), false, 'the CRDs of the old chart');
      await custom.createNamespacedCustomObject({
        ...group,
        namespace: 'default',
        plural: 'gitrepositories',
        body: {
          apiVersion: 'keelson.dev/v1alpha1',
          kind: 'GitRepository',
          metadata: { name: 'deploy' },
          spec: { url: 'https://git.example.com/team/deploy.git' },
        },
      });
      const old = await createEnvironment('dev', {
        sourceRef: { name: 'deploy' },
        environment: 'dev',
        npmRegistries: NPM,
      });
      assert.equal(old.spec.npmRegistries, undefined, 'the old schema prunes the new field');

      await helm.run(['upgrade', release, CHART_DIR, ...common], env);
      assert.equal(await npmInSchema(), false, 'helm upgrade does not upgrade CRDs');
      await sh(UPGRADE_CRDS);
      assert.equal(await npmInSchema(), true, 'the documented command does');
      const kept = await createEnvironment(
        'prod',
        { sourceRef: { name: 'deploy' }, environment: 'prod', npmRegistries: NPM, deletionPolicy: 'Delete' },
        ['keelson.dev/finalizer'], // as the operator keeps it on an Environment with deletionPolicy Delete
      );
      assert.deepEqual(kept.spec.npmRegistries, NPM);

      await helm.run(['uninstall', release, '-n', ns, helm.wait], env);
      await eventually(async () => (await releaseLeftovers(kc, release, ns)).length === 0, {
        message: 'nothing of the release left but the CRDs',
      });
      assert.equal(await npmInSchema(), true, 'helm uninstall keeps the CRDs');

      await sh(RELEASE_FINALIZERS);
      await sh(DELETE_CRDS);
      await eventually(
        async () => !(await apiext.listCustomResourceDefinition()).items.some((c) => c.spec.group === 'keelson.dev'),
        { timeoutMs: 60_000, message: 'the Keelson CRDs gone' },
      );
      await assert.rejects(
        custom.listClusterCustomObject({ ...group, plural: 'environments' }),
        (err: unknown) => err instanceof k8s.ApiException && err.code === 404,
        'no Environment API left',
      );
      await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: ns });
      await eventually(
        async () => !(await kc.makeApiClient(k8s.CoreV1Api).listNamespace()).items.some((n) => n.metadata?.name === ns),
        { timeoutMs: 60_000, message: `${ns} deleted for the next run` },
      );
    });
  }
});
