// The watches main.ts wires the controllers to: Keelson's own resources and the
// CustomResourceDefinitions (the managed objects' are adapters/kubernetes/managed-object-watches.ts).
import type { KubeConnection } from './adapters/kubernetes/kubeconfig.ts';
import { environmentDefinition, gitRepositoryDefinition } from './api/v1alpha1/index.ts';
import type {
  EnvironmentResource,
  GitRepositoryResource,
  KeelsonResourceCache,
  Resource,
} from './adapters/kubernetes/keelson-resources.ts';
import { ResourceWatch, type WatchedObject } from './adapters/kubernetes/watch.ts';
import type { Logger } from './core/logger.ts';

export interface KeelsonWatchOptions {
  readonly kubeConfig: KubeConnection;
  /** Namespaces to watch; empty means all. */
  readonly namespaces: readonly string[];
  readonly log: Logger;
  readonly onEnvironment: (env: EnvironmentResource, deleted: boolean) => void;
  readonly onGitRepository: (repo: GitRepositoryResource, deleted: boolean) => void;
}

/**
 * Watches Environments and GitRepositories; resolves once both are listed. What the watches
 * hold answers KeelsonResources' gets (the cache).
 */
export async function watchKeelsonResources(
  options: KeelsonWatchOptions,
): Promise<KeelsonResourceCache & { stop(): Promise<void> }> {
  const namespaces = options.namespaces.length ? options.namespaces : [undefined];
  const watches: ResourceWatch[] = [];
  const byKind = { Environment: [] as ResourceWatch[], GitRepository: [] as ResourceWatch[] };
  for (const ns of namespaces) {
    for (const def of [gitRepositoryDefinition, environmentDefinition]) {
      const watch = new ResourceWatch(options.kubeConfig, {
        resource: { group: def.group, version: def.version, plural: def.plural },
        namespace: ns,
        onEvent: (type, obj) => {
          if (def.kind === 'Environment') options.onEnvironment(obj as EnvironmentResource, type === 'DELETED');
          else options.onGitRepository(obj as GitRepositoryResource, type === 'DELETED');
        },
        onError: (err) => options.log.warn(`${def.kind} watch error; reconnecting`, { error: String(err) }),
      });
      watches.push(watch);
      byKind[def.kind as keyof typeof byKind].push(watch);
    }
  }
  await Promise.all(watches.map((w) => w.start()));
  return {
    cached: (kind, namespace, name) => {
      for (const w of byKind[kind]) {
        const obj = w.get(namespace, name) as Resource<unknown, unknown> | undefined;
        if (obj) return obj;
      }
      return undefined;
    },
    stop: async () => void (await Promise.all(watches.map((w) => w.stop()))),
  };
}

interface CustomResourceDefinition extends WatchedObject {
  readonly spec?: { readonly group?: string; readonly names?: { readonly kind?: string } };
}

export interface CrdWatchOptions {
  readonly kubeConfig: KubeConnection;
  readonly log: Logger;
  /** A CRD of `group` was created, changed or deleted: what discovery knew of the group is stale. */
  readonly onChange: (group: string, kind: string, deleted: boolean) => void;
}

/**
 * Watches CustomResourceDefinitions, so discovery follows the cluster: a group/version that
 * appears, changes its versions or disappears is noticed at once, not only at the next
 * request that fails at its path. The first list reports nothing (discovery starts empty).
 */
export async function watchCustomResourceDefinitions(options: CrdWatchOptions): Promise<{ stop(): Promise<void> }> {
  let listed = false;
  const watch = new ResourceWatch(options.kubeConfig, {
    resource: { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' },
    onEvent: (type, obj: CustomResourceDefinition) => {
      const group = obj.spec?.group;
      if (!group || (type === 'ADDED' && !listed)) return;
      options.onChange(group, obj.spec?.names?.kind ?? '', type === 'DELETED');
    },
    onError: (err) => options.log.warn('CustomResourceDefinition watch error; reconnecting', { error: String(err) }),
  });
  await watch.start();
  listed = true;
  return { stop: () => watch.stop() };
}
