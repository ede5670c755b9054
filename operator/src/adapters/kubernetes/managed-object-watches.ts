// The watches of the objects Environments manage: one label-selected watch per kind in any
// inventory (per watched namespace), so a hand edit reaches its Environment within a second,
// and what they hold is the cache executors read live objects from. Run sharded, a replica's
// watches select only its own shards' objects (the keelson.dev/shard label, ADR 0026) and
// follow the shards it holds: a shard taken is listed before its Environments are queued.
import type { KubeConnection } from './kubeconfig.ts';
import type { WatchCache } from './live-state.ts';
import type { ObjectAddress, ResourceMap } from './resource-map.ts';
import { ResourceWatch, type WatchedObject } from './watch.ts';
import { LABEL_ENVIRONMENT, LABEL_SHARD } from '../../core/keys.ts';
import { withOwnManagedFields } from '../../core/diff/comparison-cache.ts';
import type { Logger } from '../../core/logger.ts';
import { groupOf, versionOf, type KubeObject } from '../../core/manifest.ts';
import { parseInventoryEntry } from '../../core/sync/prune-set.ts';

/**
 * The shards a replica's managed-object watches select, shared by the watches of every
 * cluster. A shard is watched from the moment it is taken until `keepMs` after it went: a
 * shard lost because a renewal came late under load is often taken again a moment later, and
 * its objects must not be dropped and listed again each time (a list of every kind).
 */
export class WatchedShards {
  readonly #held = new Set<number>();
  readonly #followers = new Set<() => Promise<void>>();
  /** Shards gone and still watched: the timer that drops each, and what resolves its remove(). */
  readonly #leaving = new Map<number, { readonly timer: NodeJS.Timeout; readonly done: () => void }>();
  readonly #keepMs: number;

  constructor(options: { readonly keepMs?: number } = {}) {
    this.#keepMs = options.keepMs ?? 0;
  }

  /** The label selector of the shards watched; undefined while none is. */
  selector(): string | undefined {
    if (this.#held.size === 0) return undefined;
    return `${LABEL_SHARD} in (${[...this.#held].sort((a, b) => a - b).join(',')})`;
  }

  /** A shard taken: resolves once every follower's watches have listed it. */
  async add(shard: number): Promise<void> {
    const leaving = this.#leaving.get(shard);
    if (leaving) {
      clearTimeout(leaving.timer);
      this.#leaving.delete(shard);
      leaving.done();
    }
    if (this.#held.has(shard)) return;
    this.#held.add(shard);
    await this.#changed();
  }

  /**
   * A shard gone: its objects leave the watches after `keepMs`, unless it is taken again first;
   * resolves once they have left, or when it is taken again.
   */
  remove(shard: number): Promise<void> {
    if (!this.#held.has(shard) || this.#leaving.has(shard)) return Promise.resolve();
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.#leaving.delete(shard);
        this.#held.delete(shard);
        void this.#changed().finally(done);
      }, this.#keepMs);
      timer.unref();
      this.#leaving.set(shard, { timer, done });
    });
  }

  async #changed(): Promise<void> {
    await Promise.all([...this.#followers].map((f) => f()));
  }

  /** Calls `f` on every change; returns the unsubscribe. */
  follow(f: () => Promise<void>): () => void {
    this.#followers.add(f);
    return () => void this.#followers.delete(f);
  }
}

export interface ManagedObjectWatchOptions {
  readonly kubeConfig: KubeConnection;
  readonly resourceMap: ResourceMap;
  readonly namespaces: readonly string[];
  readonly log: Logger;
  readonly onObject: (obj: KubeObject) => void;
  /** Run sharded: watch only these shards' objects. @default every managed object */
  readonly shards?: WatchedShards;
}

interface Listed {
  readonly watches: ResourceWatch[];
  /** The namespaces they cover; undefined: all. */
  readonly namespaces: ReadonlySet<string> | undefined;
}

/**
 * One watch per managed kind, started as inventories name new kinds. What the watches hold is
 * the operator's cache of managed objects: executors read live objects from it instead of
 * asking the API server.
 */
export class ManagedObjectWatches implements WatchCache {
  readonly #options: ManagedObjectWatchOptions;
  /** apiVersion/kind → apiVersion and kind of every kind an inventory named. */
  readonly #kinds = new Map<string, { readonly apiVersion: string; readonly kind: string }>();
  readonly #watches = new Map<string, Promise<ResourceWatch[] | undefined>>();
  /** Every watch made, listed or still listing: stop() ends them all without waiting for a list. */
  readonly #all = new Set<ResourceWatch>();
  #stopped = false;
  /** apiVersion/kind → its watches, once listed. */
  readonly #listed = new Map<string, Listed>();
  /** The label selector of the watches: undefined while sharded with no shard held (nothing is watched). */
  #selector: string | undefined;
  /** Selector changes, one at a time, in order. */
  #resharding: Promise<void> = Promise.resolve();
  readonly #unfollow: () => void;

  constructor(options: ManagedObjectWatchOptions) {
    this.#options = options;
    const shards = options.shards;
    this.#selector = shards ? shards.selector() : LABEL_ENVIRONMENT;
    this.#unfollow = shards ? shards.follow(() => this.#reselect(shards)) : () => undefined;
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
      if (!this.#kinds.has(id)) this.#kinds.set(id, { apiVersion: item.apiVersion, kind: item.key.kind });
      if (!this.#watches.has(id) && this.#selector !== undefined)
        this.#watches.set(id, this.#start(id, this.#selector));
    }
    await Promise.all(this.#watches.values());
  }

  /**
   * The shards watched changed: each kind is listed again with the new selector, and its new
   * watches replace the old once listed (reads meanwhile are answered from the old). An object
   * the new list reports as the old watch held it is not reported again.
   */
  #reselect(shards: WatchedShards): Promise<void> {
    const run = this.#resharding.then(async () => {
      // The shards watched when its turn comes: changes queued meanwhile are listed once.
      const selector = shards.selector();
      if (this.#stopped || selector === this.#selector) return;
      this.#selector = selector;
      await Promise.all(
        [...this.#kinds.keys()].map(async (id) => {
          const previous = await this.#watches.get(id);
          if (!this.#kinds.has(id) || this.#stopped) return; // forgotten meanwhile
          const next = selector === undefined ? Promise.resolve(undefined) : this.#start(id, selector, previous);
          if (selector === undefined) this.#watches.delete(id);
          else this.#watches.set(id, next);
          await next;
          if (this.#listed.get(id)?.watches === previous || selector === undefined) this.#listed.delete(id);
          await this.#close(previous);
        }),
      );
    });
    this.#resharding = run.catch(() => undefined);
    return run;
  }

  async #start(id: string, selector: string, previous?: ResourceWatch[]): Promise<ResourceWatch[] | undefined> {
    const { apiVersion, kind } = this.#kinds.get(id)!;
    let info;
    try {
      info = await this.#options.resourceMap.lookup(apiVersion, kind);
    } catch {
      this.#watches.delete(id); // the kind may come later (a CRD)
      return undefined;
    }
    const namespaces = info.namespaced && this.#options.namespaces.length ? this.#options.namespaces : [undefined];
    let replaced = false;
    const unchanged = (obj: WatchedObject) =>
      !replaced &&
      (previous ?? []).some(
        (w) =>
          w.get(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '')?.metadata?.resourceVersion ===
          obj.metadata?.resourceVersion,
      );
    const watches = namespaces.map(
      (ns) =>
        new ResourceWatch(this.#options.kubeConfig, {
          resource: { group: groupOf(apiVersion), version: versionOf(apiVersion), plural: info.plural },
          namespace: ns,
          labelSelector: selector,
          transform: (obj) => withOwnManagedFields(obj),
          onEvent: (_type, obj: WatchedObject) => {
            if (!unchanged(obj)) this.#options.onObject(obj as KubeObject);
          },
          onError: (err) => this.#options.log.warn(`watch of ${kind} failed; reconnecting`, { error: String(err) }),
        }),
    );
    for (const w of watches) this.#all.add(w);
    try {
      await Promise.all(watches.map((w) => w.start()));
    } catch (err) {
      // Stopped meanwhile, or the list kept failing: the next track() tries the kind again.
      await this.#close(watches);
      this.#watches.delete(id);
      if (!this.#stopped)
        this.#options.log.warn(`could not list ${kind}; watching it is retried later`, { error: String(err) });
      return undefined;
    }
    if (this.#stopped || selector !== this.#selector) {
      await this.#close(watches); // stopped, or the shards changed while it listed: the newer list replaces it
      return undefined;
    }
    replaced = true;
    this.#listed.set(id, {
      watches,
      namespaces: namespaces[0] === undefined ? undefined : new Set(namespaces as string[]),
    });
    return watches;
  }

  async #close(watches: readonly ResourceWatch[] | undefined): Promise<void> {
    for (const w of watches ?? []) this.#all.delete(w);
    await Promise.all((watches ?? []).map((w) => w.stop()));
  }

  /**
   * A CRD was deleted: its kinds' watches stop (they could only fail now), so no read trusts
   * what they held; the next track() watches the kinds again once they are served. The
   * objects they held went with the CRD, and their deletion may never have reached the
   * failing watch: their Environments are woken.
   */
  async forgetKind(group: string, kind: string): Promise<void> {
    const ids = [...this.#kinds.values()]
      .filter((k) => k.kind === kind && groupOf(k.apiVersion) === group)
      .map((k) => `${k.apiVersion}/${k.kind}`);
    for (const id of ids) {
      const watches = await this.#watches.get(id);
      this.#kinds.delete(id);
      this.#watches.delete(id);
      this.#listed.delete(id);
      await this.#close(watches);
      for (const w of watches ?? []) for (const obj of w.objects()) this.#options.onObject(obj as KubeObject);
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

  /** Objects held, by kind (keelson_watched_objects). */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, { watches }] of this.#listed) {
      const kind = this.#kinds.get(id)?.kind ?? id;
      out.set(kind, (out.get(kind) ?? 0) + watches.reduce((n, w) => n + w.objects().length, 0));
    }
    return out;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unfollow();
    await Promise.all([...this.#all].map((w) => w.stop()));
    this.#all.clear();
    this.#watches.clear();
    this.#listed.clear();
  }
}
