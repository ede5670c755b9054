// Reads live objects: by address, many at once, and every object an Environment manages
// (by its owner labels) or every hook object one of its hooks left behind. With a watch
// cache, a read by address is answered from it when the cache holds the object at least as
// new as this reader's own last write of it (read-your-writes); anything else is a GET.
import type { KubeObject } from '../../core/manifest.ts';
import { formatKey, keyOf } from '../../core/manifest.ts';
import { LABEL_ENVIRONMENT, LABEL_ENVIRONMENT_NAMESPACE, LABEL_HOOK_OF } from '../../core/keys.ts';
import type { OwnerReference } from '../../core/sync/ownership.ts';
import { mapConcurrently } from './applier.ts';
import { KubeApiError } from './api-error.ts';
import type { RestTransport } from './rest-transport.ts';
import { WrittenVersions } from './resource-version.ts';
import { formatAddress, UnknownKindError, type ObjectAddress, type ResourceMap } from './resource-map.ts';

export function ownerSelector(owner: OwnerReference): string {
  return `${LABEL_ENVIRONMENT}=${owner.name},${LABEL_ENVIRONMENT_NAMESPACE}=${owner.namespace}`;
}

/**
 * Objects the operator watches, by address; undefined when it has not seen the object. The
 * objects are the watch's own: read them, never change them.
 */
export interface WatchCache {
  cached(address: ObjectAddress): KubeObject | undefined;
  /**
   * Whether a watch covers the address (its kind is listed, its namespace watched): then
   * cached() would hold the object if it existed with Keelson's labels.
   */
  covers(address: ObjectAddress): boolean;
}

export class LiveState {
  readonly #transport: RestTransport;
  readonly #resources: ResourceMap;
  readonly #cache: WatchCache | undefined;
  readonly #written = new WrittenVersions();
  /** Reads answered from the watch cache, and by a request (for tests and benchmarks). */
  readonly reads = { cached: 0, requested: 0 };

  constructor(transport: RestTransport, resources: ResourceMap, cache?: WatchCache) {
    this.#transport = transport;
    this.#resources = resources;
    this.#cache = cache;
  }

  /** Records what a write stored (an apply or create response), so later reads are not older. */
  wrote(obj: KubeObject): void {
    if (this.#cache) this.#written.wrote(formatKey(keyOf(obj)), obj.metadata.resourceVersion);
  }

  /** Records a delete: reads of the object go to the API server until the cache has it again. */
  deleted(address: ObjectAddress): void {
    if (this.#cache) this.#written.wrote(formatAddress(address), '');
  }

  /** The live object, or undefined when it (or its kind) does not exist. */
  async get(address: ObjectAddress): Promise<KubeObject | undefined> {
    const cached = this.#cache?.cached(address);
    if (cached && this.#written.fresh(formatKey(keyOf(cached)), cached.metadata.resourceVersion)) {
      this.reads.cached++;
      return cached;
    }
    this.reads.requested++;
    try {
      return await this.#resources.request(address, (path) =>
        this.#transport.request<KubeObject>({ method: 'GET', path }),
      );
    } catch (err) {
      if ((err instanceof KubeApiError && err.status === 404) || err instanceof UnknownKindError) return undefined;
      throw err;
    }
  }

  /**
   * What the watch cache answers without a request: `fresh` objects by formatKey; `unseen`
   * addresses a watch covers but the cache does not hold (the object does not exist, or
   * exists without Keelson's labels); `stale` the others, which need a read: held older than
   * this reader's own write, not covered by any watch, or all of them without a cache.
   */
  peek(addresses: readonly ObjectAddress[]): {
    fresh: Map<string, KubeObject>;
    stale: ObjectAddress[];
    unseen: ObjectAddress[];
  } {
    const fresh = new Map<string, KubeObject>();
    const stale: ObjectAddress[] = [];
    const unseen: ObjectAddress[] = [];
    for (const address of addresses) {
      if (!this.#cache) {
        stale.push(address);
        continue;
      }
      const cached = this.#cache.cached(address);
      const key = formatAddress(address);
      if (!cached) (this.#cache.covers(address) ? unseen : stale).push(address);
      else if (this.#written.fresh(key, cached.metadata.resourceVersion)) fresh.set(key, cached);
      else stale.push(address);
    }
    this.reads.cached += fresh.size;
    return { fresh, stale, unseen };
  }

  /** Live objects by formatKey; absent ones are left out. */
  async getMany(addresses: readonly ObjectAddress[], concurrency = 16): Promise<Map<string, KubeObject>> {
    const found = await mapConcurrently(addresses, concurrency, (a) => this.get(a));
    const out = new Map<string, KubeObject>();
    for (const obj of found) if (obj) out.set(formatKey(keyOf(obj)), obj);
    return out;
  }

  /** Every object of one kind (in one namespace, or all) matching a label selector. */
  async list(
    apiVersion: string,
    kind: string,
    options: { readonly namespace?: string; readonly labelSelector?: string } = {},
  ): Promise<KubeObject[]> {
    let items: KubeObject[];
    try {
      items = await this.#resources.request(
        { apiVersion, key: { kind, namespace: options.namespace ?? '', name: '' } },
        (path) => this.#transport.list<KubeObject>(path, { labelSelector: options.labelSelector }),
      );
    } catch (err) {
      if (err instanceof UnknownKindError) return [];
      throw err;
    }
    // Items of a list carry no apiVersion and kind.
    return items.map((item) => ({ ...item, apiVersion, kind }));
  }

  /** Hook objects earlier operations created for the hook named `hookOf`, in one namespace. */
  listHookObjects(owner: OwnerReference, object: KubeObject, hookOf: string): Promise<KubeObject[]> {
    return this.list(object.apiVersion, object.kind, {
      namespace: object.metadata.namespace ?? '',
      labelSelector: `${ownerSelector(owner)},${LABEL_HOOK_OF}=${hookOf}`,
    });
  }
}
