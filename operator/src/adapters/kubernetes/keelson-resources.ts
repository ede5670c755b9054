// Typed access to Keelson's own resources (Environment, GitRepository) for the CLI, the
// API and the controllers: get, list, merge-patch of metadata/spec, and the status
// subresource.
import * as k8s from '@kubernetes/client-node';
import type { EnvironmentSpec, EnvironmentStatus } from '../../api/v1alpha1/environment.ts';
import type { GitRepositorySpec, GitRepositoryStatus } from '../../api/v1alpha1/git-repository.ts';
import { GROUP, VERSION } from '../../api/v1alpha1/index.ts';

export interface Resource<Spec, Status> {
  apiVersion: string;
  kind: string;
  metadata: k8s.V1ObjectMeta & { name: string; namespace: string };
  spec: Spec;
  status?: Status;
}

export type EnvironmentResource = Resource<EnvironmentSpec, EnvironmentStatus>;
export type GitRepositoryResource = Resource<GitRepositorySpec, GitRepositoryStatus>;

const PLURAL = { Environment: 'environments', GitRepository: 'gitrepositories' } as const;
type Kind = keyof typeof PLURAL;

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** A not-found from the API server, with the object named. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class KeelsonResources {
  readonly #api: k8s.CustomObjectsApi;

  constructor(kubeConfig: k8s.KubeConfig) {
    this.#api = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  }

  getEnvironment(namespace: string, name: string): Promise<EnvironmentResource> {
    return this.#get('Environment', namespace, name) as Promise<EnvironmentResource>;
  }

  getGitRepository(namespace: string, name: string): Promise<GitRepositoryResource> {
    return this.#get('GitRepository', namespace, name) as Promise<GitRepositoryResource>;
  }

  /** Environments in a namespace, or in every namespace when `namespace` is undefined. */
  async listEnvironments(namespace?: string): Promise<EnvironmentResource[]> {
    const list = (namespace
      ? await this.#api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Environment })
      : await this.#api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.Environment })) as { items: EnvironmentResource[] };
    return list.items.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  /** GitRepositories in a namespace, or in every namespace when `namespace` is undefined. */
  async listGitRepositories(namespace?: string): Promise<GitRepositoryResource[]> {
    const list = (namespace
      ? await this.#api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.GitRepository })
      : await this.#api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.GitRepository })) as { items: GitRepositoryResource[] };
    return list.items;
  }

  /** JSON merge patch of metadata and/or spec (annotations, suspend, ...). */
  patchEnvironment(namespace: string, name: string, patch: { metadata?: { annotations?: Record<string, string | null> }; spec?: Partial<Record<keyof EnvironmentSpec, unknown>> }): Promise<EnvironmentResource> {
    return this.#call('Environment', namespace, name, () =>
      this.#api.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Environment, name, body: patch }, mergePatch),
    ) as Promise<EnvironmentResource>;
  }

  /**
   * Replaces the given top-level status fields whole (a JSON patch `add` per field), so
   * nothing of an earlier value lingers: a merge patch would keep the keys a new operation
   * or health lacks. A field given as undefined is removed.
   */
  async patchEnvironmentStatus(namespace: string, name: string, status: Partial<Record<keyof EnvironmentStatus, unknown>>): Promise<EnvironmentResource> {
    const ops = Object.entries(status).map(([field, value]) =>
      value === undefined ? { op: 'remove', path: `/status/${field}` } : { op: 'add', path: `/status/${field}`, value });
    const request = (body: unknown, strategy: k8s.PatchStrategy) => this.#call('Environment', namespace, name, () =>
      this.#api.patchNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Environment, name, body }, k8s.setHeaderOptions('Content-Type', strategy)),
    ) as Promise<EnvironmentResource>;
    try {
      return await request(ops.filter((o) => o.op === 'add'), k8s.PatchStrategy.JsonPatch);
    } catch (err) {
      // No status yet (or a field to remove is absent): a merge patch creates it, and with
      // no earlier value there is nothing to linger.
      if (!(err instanceof k8s.ApiException && err.code === 422)) throw err;
      return request({ status: Object.fromEntries(Object.entries(status).map(([k, v]) => [k, v ?? null])) }, k8s.PatchStrategy.MergePatch);
    }
  }

  /** Sets the finalizers of an Environment (a merge patch replaces the list). */
  setEnvironmentFinalizers(namespace: string, name: string, finalizers: readonly string[]): Promise<EnvironmentResource> {
    return this.#call('Environment', namespace, name, () =>
      this.#api.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Environment, name, body: { metadata: { finalizers: [...finalizers] } } }, mergePatch),
    ) as Promise<EnvironmentResource>;
  }

  patchGitRepository(namespace: string, name: string, patch: { metadata?: { annotations?: Record<string, string | null> } }): Promise<GitRepositoryResource> {
    return this.#call('GitRepository', namespace, name, () =>
      this.#api.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.GitRepository, name, body: patch }, mergePatch),
    ) as Promise<GitRepositoryResource>;
  }

  #get(kind: Kind, namespace: string, name: string): Promise<unknown> {
    return this.#call(kind, namespace, name, () =>
      this.#api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL[kind], name }),
    );
  }

  async #call(kind: Kind, namespace: string, name: string, fn: () => Promise<unknown>): Promise<unknown> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof k8s.ApiException && err.code === 404) {
        throw new NotFoundError(`${kind} ${namespace}/${name} not found`);
      }
      throw err;
    }
  }
}
