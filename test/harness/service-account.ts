// A kubeconfig that authenticates as a ServiceAccount (a TokenRequest token): how a test or
// `make up` runs the operator outside the cluster with exactly the chart's RBAC.
import { readFileSync, writeFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';

export async function serviceAccountKubeconfig(
  kc: k8s.KubeConfig,
  options: { namespace: string; name: string; path: string; expirationSeconds?: number },
): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const tr = await core.createNamespacedServiceAccountToken({
    name: options.name,
    namespace: options.namespace,
    body: { spec: { expirationSeconds: options.expirationSeconds ?? 86_400 } },
  });
  const token = tr.status?.token;
  if (!token) throw new Error(`no token for ServiceAccount ${options.namespace}/${options.name}`);
  const cluster = kc.getCurrentCluster()!;
  const ca = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  const user = `system:serviceaccount:${options.namespace}:${options.name}`;
  writeFileSync(
    options.path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'local', cluster: { server: cluster.server, ...(ca ? { 'certificate-authority-data': ca } : {}) } },
      ],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: 'keelson', context: { cluster: 'local', user, namespace: options.namespace } }],
      'current-context': 'keelson',
    }),
    { mode: 0o600 },
  );
  return options.path;
}
