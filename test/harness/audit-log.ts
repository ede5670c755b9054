// What one process sent the API server, from the control plane's audit log: with-cluster.ts
// audits the ServiceAccounts of one namespace only (AUDITED_GROUP), and auditedKubeconfig(name)
// gives a process the identity of one of them (cluster-admin, as the chart's ClusterRole is), so
// a test tells that process's requests from everyone else's, tests running side by side too.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { serviceAccountKubeconfig } from './service-account.ts';

const NAMESPACE = 'keelson-audited';
export const AUDITED_GROUP = `system:serviceaccounts:${NAMESPACE}`;

/** A kubeconfig of the audited ServiceAccount `name` (created on first use); name it after the test. */
export async function auditedKubeconfig(kc: k8s.KubeConfig, name: string): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const exists = (err: unknown) => {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
  };
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } }).catch(exists);
  await core.createNamespacedServiceAccount({ namespace: NAMESPACE, body: { metadata: { name } } }).catch(exists);
  await kc
    .makeApiClient(k8s.RbacAuthorizationV1Api)
    .createClusterRoleBinding({
      body: {
        metadata: { name: `keelson-audited-${name}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name, namespace: NAMESPACE }],
      },
    })
    .catch(exists);
  return serviceAccountKubeconfig(kc, {
    namespace: NAMESPACE,
    name,
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

/**
 * The requests of the audited ServiceAccount `name` received in [from, to] (ms since the
 * epoch); the log is written about once a second.
 */
export function auditedRequests(name: string, from: number, to: number): AuditedRequest[] {
  const dir = process.env.KEELSON_TEST_CLUSTER_DIR;
  if (!dir) throw new Error('KEELSON_TEST_CLUSTER_DIR is not set: run under test/harness/with-cluster.ts');
  return readAuditLog(join(dir, 'audit.log'), `system:serviceaccount:${NAMESPACE}:${name}`, from, to);
}

/**
 * The files of an audit log, oldest first: the API server rotates `audit.log` at 100 MB into
 * `audit-<time>.log` (a 10,000-Environment benchmark writes several), then goes on in `audit.log`.
 */
export function auditLogFiles(file: string): string[] {
  const dir = dirname(file);
  const stem = basename(file, '.log');
  const rotated = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.startsWith(`${stem}-`) && name.endsWith('.log'))
        .sort()
        .map((name) => join(dir, name))
    : [];
  return [...rotated, ...(existsSync(file) ? [file] : [])];
}

/**
 * The requests of `user` received in [from, to] (ms since the epoch) in an audit log (JSON
 * lines), its rotated files included.
 */
export function readAuditLog(file: string, user: string, from: number, to: number): AuditedRequest[] {
  const out: AuditedRequest[] = [];
  for (const part of auditLogFiles(file)) readAuditFile(part, user, from, to, out);
  return out;
}

function readAuditFile(file: string, user: string, from: number, to: number, out: AuditedRequest[]): void {
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
    if (e.user?.username !== user || e.stage === 'ResponseStarted') continue;
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
}
