// Typed access to Keelson's own resources (Environment, GitRepository) for the CLI, the
// API and the controllers: get, list, merge-patch of metadata/spec, and the status
// subresource, over one keep-alive connection pool. In the operator, gets are answered from its watches when they hold the
// object at least as new as the operator's own last write of it.
import type { KubeConnection } from './kubeconfig.ts';
import type * as k8s from '@kubernetes/client-node';
import type { EnvironmentSpec, EnvironmentStatus } from '../../api/v1alpha1/environment.ts';
import type { GitRepositorySpec, GitRepositoryStatus } from '../../api/v1alpha1/git-repository.ts';
import {
  environmentDefinition,
  gitRepositoryDefinition,
  GROUP,
  syncWindowDefinition,
  VERSION,
} from '../../api/v1alpha1/index.ts';
import type { SharedSyncWindow } from '../../core/environment/sync-window-sources.ts';
import { WrittenVersions } from './resource-version.ts';
import { KubeApiError } from './api-error.ts';
import { LazyRestTransport } from './rest-transport.ts';

export interface Resource<Spec, Status> {
  apiVersion: string;
  kind: string;
  metadata: k8s.V1ObjectMeta & { name: string; namespace: string };
  spec: Spec;
  status?: Status;
}

export type EnvironmentResource = Resource<EnvironmentSpec, EnvironmentStatus>;
export type GitRepositoryResource = Resource<GitRepositorySpec, GitRepositoryStatus>;

const PLURAL = { Environment: environmentDefinition.plural, GitRepository: gitRepositoryDefinition.plural } as const;
type Kind = keyof typeof PLURAL;

const MERGE_PATCH = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

/** A not-found from the API server, with the object named. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** Keelson's resources as the operator's watches last saw them. */
export interface KeelsonResourceCache {
  cached(
    kind: 'Environment' | 'GitRepository',
    namespace: string,
    name: string,
  ): Resource<unknown, unknown> | undefined;
}

export class KeelsonResources {
  /** One keep-alive pool for every request (a new TLS connection per request costs both ends). */
  readonly #rest: LazyRestTransport;
  #cache: KeelsonResourceCache | undefined;
  readonly #written = new WrittenVersions();

  constructor(kubeConfig: KubeConnection) {
    this.#rest = new LazyRestTransport(kubeConfig, { maxSockets: 8 });
  }

  /** Answers gets from the watches from now on (read-your-writes; a miss is a request). */
  useCache(cache: KeelsonResourceCache | undefined): void {
    this.#cache = cache;
  }

  getEnvironment(namespace: string, name: string): Promise<EnvironmentResource> {
    return this.#get('Environment', namespace, name) as Promise<EnvironmentResource>;
  }

  getGitRepository(namespace: string, name: string): Promise<GitRepositoryResource> {
    return this.#get('GitRepository', namespace, name) as Promise<GitRepositoryResource>;
  }

  /** Environments in a namespace, or in every namespace when `namespace` is undefined. */
  async listEnvironments(namespace?: string): Promise<EnvironmentResource[]> {
    const items = (await this.#list('Environment', namespace)) as EnvironmentResource[];
    return items.sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
    );
  }

  /** GitRepositories in a namespace, or in every namespace when `namespace` is undefined. */
  async listGitRepositories(namespace?: string): Promise<GitRepositoryResource[]> {
    return (await this.#list('GitRepository', namespace)) as GitRepositoryResource[];
  }

  /** The SyncWindows of a namespace (the CLI; the operator reads them from their watch). */
  async listSyncWindows(namespace: string): Promise<SharedSyncWindow[]> {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${syncWindowDefinition.plural}`;
    return (await this.#rest.list(path)) as SharedSyncWindow[];
  }

  /** JSON merge patch of metadata and/or spec (annotations, suspend, ...). */
  patchEnvironment(
    namespace: string,
    name: string,
    patch: {
      metadata?: { annotations?: Record<string, string | null> };
      spec?: Partial<Record<keyof EnvironmentSpec, unknown>>;
    },
  ): Promise<EnvironmentResource> {
    return this.#call('Environment', namespace, name, {
      method: 'PATCH',
      body: patch,
      contentType: MERGE_PATCH,
    }) as Promise<EnvironmentResource>;
  }

  /**
   * Replaces the given top-level status fields whole (a JSON patch `add` per field), so
   * nothing of an earlier value lingers: a merge patch would keep the keys a new operation
   * or health lacks. A field given as undefined is removed. `firstStatus`: the caller saw
   * no status yet, so the merge patch that creates it goes first.
   */
  async patchEnvironmentStatus(
    namespace: string,
    name: string,
    status: Partial<Record<keyof EnvironmentStatus, unknown>>,
    options: { readonly firstStatus?: boolean; readonly guard?: () => void } = {},
  ): Promise<EnvironmentResource> {
    // A merge patch creates the status, and with no earlier value there is nothing to linger.
    const create = () =>
      this.#call('Environment', namespace, name, {
        method: 'PATCH',
        subresource: 'status',
        contentType: MERGE_PATCH,
        body: { status: Object.fromEntries(Object.entries(status).map(([k, v]) => [k, v ?? null])) },
        guard: options.guard,
      }) as Promise<EnvironmentResource>;
    if (options.firstStatus) return create();
    const ops = Object.entries(status).map(([field, value]) =>
      value === undefined ? { op: 'remove', path: `/status/${field}` } : { op: 'add', path: `/status/${field}`, value },
    );
    try {
      return await (this.#call('Environment', namespace, name, {
        method: 'PATCH',
        subresource: 'status',
        body: ops.filter((o) => o.op === 'add'),
        contentType: JSON_PATCH,
        guard: options.guard,
      }) as Promise<EnvironmentResource>);
    } catch (err) {
      // No status yet after all (or a field to remove is absent).
      if (!(err instanceof KubeApiError && err.status === 422)) throw err;
      return create();
    }
  }

  /** Sets the finalizers of an Environment (a merge patch replaces the list). */
  setEnvironmentFinalizers(
    namespace: string,
    name: string,
    finalizers: readonly string[],
    guard?: () => void,
  ): Promise<EnvironmentResource> {
    return this.#call('Environment', namespace, name, {
      method: 'PATCH',
      body: { metadata: { finalizers: [...finalizers] } },
      contentType: MERGE_PATCH,
      guard,
    }) as Promise<EnvironmentResource>;
  }

  patchGitRepository(
    namespace: string,
    name: string,
    patch: {
      metadata?: { annotations?: Record<string, string | null> };
      spec?: Partial<Record<keyof GitRepositorySpec, unknown>>;
    },
  ): Promise<GitRepositoryResource> {
    return this.#call('GitRepository', namespace, name, {
      method: 'PATCH',
      body: patch,
      contentType: MERGE_PATCH,
    }) as Promise<GitRepositoryResource>;
  }

  /** Closes the idle connections. */
  close(): void {
    this.#rest.close();
  }

  async #get(kind: Kind, namespace: string, name: string): Promise<unknown> {
    const cached = this.#cache?.cached(kind, namespace, name);
    if (cached && this.#written.fresh(`${kind}/${namespace}/${name}`, cached.metadata.resourceVersion))
      return structuredClone(cached);
    return this.#call(kind, namespace, name, { method: 'GET' });
  }

  async #list(kind: Kind, namespace: string | undefined): Promise<unknown[]> {
    return this.#rest.list(
      `/apis/${GROUP}/${VERSION}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${PLURAL[kind]}`,
    );
  }

  /** One request on the object (or its subresource); a 404 becomes NotFoundError naming it. */
  async #call(
    kind: Kind,
    namespace: string,
    name: string,
    req: { method: 'GET' | 'PATCH'; subresource?: string; body?: unknown; contentType?: string; guard?: () => void },
  ): Promise<unknown> {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${PLURAL[kind]}/${encodeURIComponent(name)}${req.subresource ? `/${req.subresource}` : ''}`;
    try {
      const result = await this.#rest.request<{ metadata?: { resourceVersion?: string } }>({
        method: req.method,
        path,
        body: req.body,
        contentType: req.contentType,
        guard: req.guard,
      });
      if (this.#cache) this.#written.wrote(`${kind}/${namespace}/${name}`, result?.metadata?.resourceVersion);
      return result;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404)
        throw new NotFoundError(`${kind} ${namespace}/${name} not found`);
      throw err;
    }
  }
}
