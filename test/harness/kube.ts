// Test-side Kubernetes helpers: clients from a kubeconfig, one namespace per test, CRD
// installation, and polling with a deadline instead of sleeping.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadKubeConfig(path = process.env.KUBECONFIG): k8s.KubeConfig {
  if (!path) throw new Error('KUBECONFIG is not set: run the tests through `make test` (test/harness/with-cluster.ts)');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export interface EventuallyOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  readonly message?: string;
}

/** Polls `check` until it returns a value other than undefined/false, or throws at the deadline. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(options.intervalMs ?? 200);
  }
  const why = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
  throw new Error(
    `timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${options.message ?? 'condition'}${why}`,
  );
}

let counter = 0;

/** Creates a namespace unique to one test and waits until pods can be created in it. */
export async function createTestNamespace(kc: k8s.KubeConfig, prefix: string): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const name = `${prefix}-${process.pid}-${++counter}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63);
  await core.createNamespace({ body: { metadata: { name, labels: { 'test.keelson.dev/run': String(process.pid) } } } });
  await eventually(() => core.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(() => true), {
    message: `default ServiceAccount in ${name}`,
  });
  return name;
}

export async function deleteNamespace(kc: k8s.KubeConfig, name: string): Promise<void> {
  await kc
    .makeApiClient(k8s.CoreV1Api)
    .deleteNamespace({ name })
    .catch(() => undefined);
}

/** Installs the CRDs of a folder (the generated ones of crds/ by default) and waits until they are Established. */
export async function installCrds(kc: k8s.KubeConfig, dir = join(REPO_ROOT, 'crds')): Promise<string[]> {
  const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const names: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    // loadYaml deserializes into the client's model (x-kubernetes-validations becomes
    // xKubernetesValidations, default becomes _default); patch() serializes from that model
    // and would silently drop those fields from a plain parsed object.
    const crd = k8s.loadYaml<k8s.V1CustomResourceDefinition>(readFileSync(join(dir, file), 'utf8'));
    await client.patch(crd, undefined, undefined, 'keelson-test', true, k8s.PatchStrategy.ServerSideApply);
    names.push(crd.metadata!.name!);
  }
  for (const name of names) {
    await eventually(
      async () => {
        const crd = await api.readCustomResourceDefinition({ name });
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      },
      { message: `CRD ${name} Established` },
    );
  }
  return names;
}

/** The body of a Kubernetes API error (the Status message), or the error's text. */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof k8s.ApiException) {
    try {
      return (JSON.parse(String(err.body)) as { message?: string }).message ?? String(err.body);
    } catch {
      return String(err.body);
    }
  }
  return err instanceof Error ? err.message : String(err);
}
