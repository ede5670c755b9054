// The watches main.ts wires the controllers to: Keelson's own resources, and the objects
// Environments manage (one label-selected watch per kind in any inventory), so a hand
// edit reaches its Environment within a second, not at the next periodic check.
import type { KubeConnection } from './adapters/kubernetes/kubeconfig.ts';
import { environmentDefinition, gitRepositoryDefinition } from './api/v1alpha1/index.ts';
import type {
  EnvironmentResource,
  GitRepositoryResource,
  KeelsonResourceCache,
  Resource,
} from './adapters/kubernetes/keelson-resources.ts';
import type { WatchCache } from './adapters/kubernetes/live-state.ts';
import type { ObjectAddress, ResourceMap } from './adapters/kubernetes/resource-map.ts';
import { ResourceWatch, type WatchedObject } from './adapters/kubernetes/watch.ts';
import { LABEL_ENVIRONMENT } from './core/keys.ts';
import { withOwnManagedFields } from './core/diff/comparison-cache.ts';
import type { Logger } from './core/logger.ts';
import { groupOf, versionOf, type KubeObject } from './core/manifest.ts';
import { parseInventoryEntry } from './core/sync/prune-set.ts';

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

export interface ManagedObjectWatchOptions {
  readonly kubeConfig: KubeConnection;
  readonly resourceMap: ResourceMap;
  readonly namespaces: readonly string[];
  readonly log: Logger;
  readonly onObject: (obj: KubeObject) => void;
}

/**
 * One watch per managed kind (label keelson.dev/environment), started as inventories name
 * new kinds. What the watches hold is the operator's cache of managed objects: executors
 * read live objects from it instead of asking the API server.
 */
export class ManagedObjectWatches implements WatchCache {
  readonly #options: ManagedObjectWatchOptions;
  readonly #watches = new Map<string, Promise<ResourceWatch[] | undefined>>();
  /** Every watch made, listed or still listing: stop() ends them all without waiting for a list. */
  readonly #all = new Set<ResourceWatch>();
  #stopped = false;
  /** apiVersion/kind → its watches, once listed, and the namespaces they cover (undefined: all). */
  readonly #listed = new Map<
    string,
    { readonly watches: ResourceWatch[]; readonly namespaces: ReadonlySet<string> | undefined }
  >();

  constructor(options: ManagedObjectWatchOptions) {
    this.#options = options;
  }

  /** Makes sure every kind in `inventory` is watched. */
  async track(inventory: readonly string[]): Promise<void> {
    if (this.#stopped) return;
    for (const entry of inventory) {
      let item;
      try {
        item = parseInventoryEntry(entry);
      } catch {
        continue;
      }
      const id = `${item.apiVersion}/${item.key.kind}`;
      if (!this.#watches.has(id)) this.#watches.set(id, this.#start(item.apiVersion, item.key.kind));
    }
    await Promise.all(this.#watches.values());
  }

  async #start(apiVersion: string, kind: string): Promise<ResourceWatch[] | undefined> {
    let info;
    try {
      info = await this.#options.resourceMap.lookup(apiVersion, kind);
    } catch {
      this.#watches.delete(`${apiVersion}/${kind}`); // the kind may come later (a CRD)
      return undefined;
    }
    const namespaces = info.namespaced && this.#options.namespaces.length ? this.#options.namespaces : [undefined];
    const watches = namespaces.map(
      (ns) =>
        new ResourceWatch(this.#options.kubeConfig, {
          resource: { group: groupOf(apiVersion), version: versionOf(apiVersion), plural: info.plural },
          namespace: ns,
          labelSelector: LABEL_ENVIRONMENT,
          transform: (obj) => withOwnManagedFields(obj),
          onEvent: (_type, obj: WatchedObject) => this.#options.onObject(obj as KubeObject),
          onError: (err) => this.#options.log.warn(`watch of ${kind} failed; reconnecting`, { error: String(err) }),
        }),
    );
    for (const w of watches) this.#all.add(w);
    try {
      await Promise.all(watches.map((w) => w.start()));
    } catch (err) {
      // Stopped meanwhile, or the list kept failing: the next track() tries the kind again.
      for (const w of watches) this.#all.delete(w);
      await Promise.all(watches.map((w) => w.stop()));
      this.#watches.delete(`${apiVersion}/${kind}`);
      if (!this.#stopped)
        this.#options.log.warn(`could not list ${kind}; watching it is retried later`, { error: String(err) });
      return undefined;
    }
    this.#listed.set(`${apiVersion}/${kind}`, {
      watches,
      namespaces: namespaces[0] === undefined ? undefined : new Set(namespaces as string[]),
    });
    return watches;
  }

  /**
   * A CRD was deleted: its kinds' watches stop (they could only fail now), so no read trusts
   * what they held; the next track() watches the kinds again once they are served. The
   * objects they held went with the CRD, and their deletion may never have reached the
   * failing watch: their Environments are woken.
   */
  async forgetKind(group: string, kind: string): Promise<void> {
    const ids = [...this.#watches.keys()].filter((id) => {
      const slash = id.lastIndexOf('/');
      return id.slice(slash + 1) === kind && groupOf(id.slice(0, slash)) === group;
    });
    for (const id of ids) {
      const watches = await this.#watches.get(id);
      this.#watches.delete(id);
      this.#listed.delete(id);
      for (const w of watches ?? []) {
        this.#all.delete(w);
        await w.stop();
        for (const obj of w.objects()) this.#options.onObject(obj as KubeObject);
      }
    }
  }

  covers(address: ObjectAddress): boolean {
    const listed = this.#listed.get(`${address.apiVersion}/${address.key.kind}`);
    return listed !== undefined && (listed.namespaces === undefined || listed.namespaces.has(address.key.namespace));
  }

  cached(address: ObjectAddress): KubeObject | undefined {
    const watches = this.#listed.get(`${address.apiVersion}/${address.key.kind}`)?.watches;
    if (!watches) return undefined;
    for (const w of watches) {
      const obj = w.get(address.key.namespace, address.key.name) as KubeObject | undefined;
      // Items of a list carry no apiVersion and kind; watch events do.
      if (obj)
        return obj.apiVersion && obj.kind ? obj : { ...obj, apiVersion: address.apiVersion, kind: address.key.kind };
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#all].map((w) => w.stop()));
    this.#all.clear();
    this.#watches.clear();
    this.#listed.clear();
  }
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
