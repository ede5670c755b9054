// Shared by the sync end-to-end tests: an Environment whose status.operation the executor
// persists into (so the operation shape is checked by the real CRD schema), object
// builders, and reads of what the cluster holds.
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../../operator/src/core/manifest.ts';
import type { Operation } from '../../../operator/src/core/sync/operation.ts';
import type { SyncExecutorOptions } from '../../../operator/src/adapters/kubernetes/sync-executor.ts';
import { loadKubeConfig } from '../../harness/kube.ts';
import { RunningSyncExecutor } from '../../harness/sync-executor.ts';

export const kc = loadKubeConfig();
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const environments = { group: 'keelson.dev', version: 'v1alpha1', plural: 'environments' };

/** Creates the Environment `name` in `namespace`; its status.operation is where the executor persists. */
export async function createEnvironment(namespace: string, name: string): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...environments,
    namespace,
    body: {
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'Environment',
      metadata: { name },
      spec: { sourceRef: { name: 'deploy' }, environment: name },
    },
  });
}

export async function persistOperation(namespace: string, name: string, operation: Operation): Promise<void> {
  const env = (await custom.getNamespacedCustomObject({ ...environments, namespace, name })) as KubeObject;
  await custom.replaceNamespacedCustomObjectStatus({
    ...environments,
    namespace,
    name,
    body: { ...env, status: { ...(env.status as object), operation } },
  });
}

export async function readOperation(namespace: string, name: string): Promise<Operation> {
  const env = (await custom.getNamespacedCustomObject({ ...environments, namespace, name })) as {
    status?: { operation?: Operation };
  };
  if (!env.status?.operation) throw new Error(`Environment ${namespace}/${name} has no status.operation`);
  return env.status.operation;
}

/** An executor for the Environment `namespace/name`, persisting through the real status subresource. */
export function executorFor(
  namespace: string,
  name: string,
  options: Partial<SyncExecutorOptions> = {},
): Promise<RunningSyncExecutor> {
  return RunningSyncExecutor.fromKubeConfig(kc, {
    owner: { name, namespace },
    persist: (op) => persistOperation(namespace, name, op),
    step: { pollMs: 300, hookTimeoutMs: 60_000, operationTimeoutMs: 120_000 },
    ...options,
  });
}

const labels = (name: string) => ({ app: name });

export function deployment(
  namespace: string,
  name: string,
  image: string,
  extra: { replicas?: number; annotations?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: labels(name) },
      template: { metadata: { labels: labels(name) }, spec: { containers: [{ name: 'main', image }] } },
    },
  };
}

export function configMap(
  namespace: string,
  name: string,
  data: Record<string, string> = { key: name },
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    data,
  };
}

/** A hook Job; `podAnnotations` steer kwok (test.keelson.dev/outcome: fail, complete-after). */
export function hookJob(
  namespace: string,
  name: string,
  annotations: Record<string, string>,
  podAnnotations: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, annotations },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { annotations: podAnnotations },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'registry.example/tool:1' }] },
      },
    },
  };
}

export async function readDeployment(namespace: string, name: string): Promise<KubeObject | undefined> {
  try {
    return (await kc
      .makeApiClient(k8s.AppsV1Api)
      .readNamespacedDeployment({ name, namespace })) as unknown as KubeObject;
  } catch {
    return undefined;
  }
}

export async function jobsOf(namespace: string, hookOf: string): Promise<k8s.V1Job[]> {
  const list = await kc
    .makeApiClient(k8s.BatchV1Api)
    .listNamespacedJob({ namespace, labelSelector: `keelson.dev/hook-of=${hookOf}` });
  return list.items;
}

export function imageOf(obj: KubeObject | undefined): string | undefined {
  return (obj?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec
    ?.containers?.[0]?.image;
}
