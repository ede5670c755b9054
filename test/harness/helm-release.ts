// Helm releases of the Keelson chart in tests: both Helm majors (helm 3 and helm 4, built by
// build-binaries.sh), the chart as it was at an earlier commit, the operator's arguments of
// an installed release, and what of a release is left in the cluster after `helm uninstall`.
//
//   for (const h of await helms()) await h.run(['install', 'k', CHART, '-n', ns]);
//   const old = chartAtRevision('c39ba04');            // a copy of charts/keelson at that commit
//   assert.deepEqual(await releaseLeftovers(kc, 'k', ns), []);
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { ensureBinaries } from './binaries.ts';
import { REPO_ROOT } from './kube.ts';

const exec = promisify(execFile);

export const CHART_DIR = join(REPO_ROOT, 'charts', 'keelson');

export interface Helm {
  /** `helm 3` or `helm 4`. */
  readonly name: string;
  readonly major: 3 | 4;
  readonly bin: string;
  /** The flag that waits for the release's objects to be ready (Helm 4's takes a strategy). */
  readonly wait: string;
  /** Runs helm with the environment (KUBECONFIG) of the test; resolves to stdout. */
  run(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string>;
}

/** Helm 3 and Helm 4. */
export async function helms(): Promise<Helm[]> {
  const bin = await ensureBinaries();
  return [
    { major: 3 as const, bin: bin.helm },
    { major: 4 as const, bin: bin.helm4 },
  ].map(({ major, bin: path }) => ({
    name: `helm ${major}`,
    major,
    bin: path,
    wait: major === 3 ? '--wait' : '--wait=watcher',
    run: async (args, env) =>
      (await exec(path, [...args], { env: env ?? process.env, maxBuffer: 16 * 1024 * 1024 })).stdout,
  }));
}

/** A copy of charts/keelson as it was at `revision` (a commit or tag), in a new temporary directory. */
export async function chartAtRevision(revision: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-chart-'));
  const archive = join(dir, 'chart.tar');
  await exec('git', ['-C', REPO_ROOT, 'archive', '--output', archive, revision, 'charts/keelson']);
  await exec('tar', ['-xf', archive, '-C', dir]);
  return join(dir, 'charts', 'keelson');
}

/** `helm package` of a chart directory into a new temporary directory; resolves to the .tgz. */
export async function packageChart(helm: Helm, chartDir = CHART_DIR): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-package-'));
  const out = await helm.run(['package', chartDir, '--destination', dir]);
  const tgz = /saved it to: (\S+\.tgz)/.exec(out)?.[1];
  if (!tgz) throw new Error(`helm package: unexpected output: ${out}`);
  return tgz;
}

/** The operator container's arguments of a release's Deployment. */
export async function operatorArgs(kc: k8s.KubeConfig, name: string, namespace: string): Promise<string[]> {
  const d = await kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name, namespace });
  return d.spec!.template.spec!.containers[0]!.args!;
}

/**
 * What of a release is still in the cluster, as `kind/name`: every kind the chart makes
 * (and webhook configurations, which it must not leave either), found by the release's
 * instance label or by a name that starts with the release's.
 */
export async function releaseLeftovers(kc: k8s.KubeConfig, release: string, namespace: string): Promise<string[]> {
  const selector = `app.kubernetes.io/instance=${release}`;
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
  const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  const lists: [string, Promise<{ items: k8s.KubernetesObject[] }>][] = [
    ['ClusterRole', rbac.listClusterRole()],
    ['ClusterRoleBinding', rbac.listClusterRoleBinding()],
    ['ValidatingWebhookConfiguration', admission.listValidatingWebhookConfiguration()],
    ['MutatingWebhookConfiguration', admission.listMutatingWebhookConfiguration()],
    ['Role', rbac.listRoleForAllNamespaces({ labelSelector: selector })],
    ['RoleBinding', rbac.listRoleBindingForAllNamespaces({ labelSelector: selector })],
    ['Lease', coordination.listNamespacedLease({ namespace })],
    ['Deployment', apps.listNamespacedDeployment({ namespace })],
    ['ServiceAccount', core.listNamespacedServiceAccount({ namespace })],
    ['Service', core.listNamespacedService({ namespace })],
    ['ConfigMap', core.listNamespacedConfigMap({ namespace })],
    // Helm's own record of the release (helm uninstall deletes it unless --keep-history).
    ['Secret', core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${release}` })],
  ];
  const left: string[] = [];
  for (const [kind, list] of lists)
    for (const o of (await list).items) {
      const name = o.metadata?.name ?? '';
      const labelled = o.metadata?.labels?.['app.kubernetes.io/instance'] === release;
      if (labelled || name.startsWith(release) || kind === 'Secret') left.push(`${kind}/${name}`);
    }
  return left.sort();
}
