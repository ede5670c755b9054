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

/**
 * A ServiceAccount `name` in `namespace` bound to a Role of its own with `rules` (each left as it
 * is when it exists already, so calling twice is harmless).
 */
export async function serviceAccountWithRole(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  rules: k8s.V1PolicyRule[],
): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const metadata = { name };
  const exists = (err: unknown) => {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
  };
  await core.createNamespacedServiceAccount({ namespace, body: { metadata } }).catch(exists);
  await rbac.createNamespacedRole({ namespace, body: { metadata, rules } }).catch(exists);
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name };
  const subjects = [{ kind: 'ServiceAccount', name, namespace }];
  await rbac.createNamespacedRoleBinding({ namespace, body: { metadata, roleRef, subjects } }).catch(exists);
}

/** A token (one hour) of the ServiceAccount `namespace/name`. */
export async function serviceAccountToken(kc: k8s.KubeConfig, namespace: string, name: string): Promise<string> {
  const tr = await kc.makeApiClient(k8s.CoreV1Api).createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { expirationSeconds: 3600 } },
  });
  if (!tr.status?.token) throw new Error(`no token for ServiceAccount ${namespace}/${name}`);
  return tr.status.token;
}

/** What a person who releases needs on Keelson's objects (docs/ui.md's role `deployer`). */
export const DEPLOYER_RULES: k8s.V1PolicyRule[] = [
  {
    apiGroups: ['keelson.dev'],
    resources: ['environments'],
    verbs: ['get', 'list', 'sync', 'rollback', 'patch', 'action'],
  },
  { apiGroups: ['keelson.dev'], resources: ['gitrepositories'], verbs: ['get', 'list', 'patch'] },
];
