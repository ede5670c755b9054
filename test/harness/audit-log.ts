// What one process sent the API server, from the control plane's audit log: with-cluster.ts
// audits AUDITED_USER only, and auditedKubeconfig() gives a process that identity (a
// cluster-admin ServiceAccount, as the chart's ClusterRole is), so a test can tell that
// process's requests from everyone else's.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { serviceAccountKubeconfig } from './service-account.ts';

const NAMESPACE = 'keelson-audited';
const NAME = 'replica';
export const AUDITED_USER = `system:serviceaccount:${NAMESPACE}:${NAME}`;

/** A kubeconfig of AUDITED_USER (created on first use). */
export async function auditedKubeconfig(kc: k8s.KubeConfig): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const exists = (err: unknown) => {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
  };
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } }).catch(exists);
  await core.createNamespacedServiceAccount({ namespace: NAMESPACE, body: { metadata: { name: NAME } } }).catch(exists);
  await kc
    .makeApiClient(k8s.RbacAuthorizationV1Api)
    .createClusterRoleBinding({
      body: {
        metadata: { name: 'keelson-audited' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE }],
      },
    })
    .catch(exists);
  return serviceAccountKubeconfig(kc, {
    namespace: NAMESPACE,
    name: NAME,
    path: join(mkdtempSync(join(tmpdir(), 'keelson-audited-')), 'kubeconfig'),
  });
}

export interface AuditedRequest {
  readonly at: number;
  readonly verb: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly dryRun: boolean;
}

/** AUDITED_USER's requests received in [from, to] (ms since the epoch); the log is written about once a second. */
export function auditedRequests(from: number, to: number): AuditedRequest[] {
  const dir = process.env.KEELSON_TEST_CLUSTER_DIR;
  if (!dir) throw new Error('KEELSON_TEST_CLUSTER_DIR is not set: run under test/harness/with-cluster.ts');
  const file = join(dir, 'audit.log');
  if (!existsSync(file)) return [];
  const out: AuditedRequest[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as {
      user?: { username?: string };
      verb?: string;
      stage?: string;
      requestURI?: string;
      requestReceivedTimestamp?: string;
      objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
    };
    if (e.user?.username !== AUDITED_USER || e.stage === 'ResponseStarted') continue;
    const at = Date.parse(e.requestReceivedTimestamp ?? '');
    if (at < from || at > to) continue;
    const sub = e.objectRef?.subresource ? `/${e.objectRef.subresource}` : '';
    out.push({
      at,
      verb: e.verb ?? '',
      resource: `${e.objectRef?.resource ?? ''}${sub}`,
      namespace: e.objectRef?.namespace,
      name: e.objectRef?.name,
      dryRun: e.requestURI?.includes('dryRun=') ?? false,
    });
  }
  return out;
}
