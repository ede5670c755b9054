// Server-side apply with field manager `keelson` (force: Keelson owns what it declares),
// optionally as a dry-run; creation of hook objects; deletion that checks, at the moment it
// deletes, that the object may be deleted (prune, hook clean-up, the finalizer). Many
// objects go out at once over the transport's keep-alive connections. Every request goes
// through the ResourceMap, which notices a group/version the API server stopped serving.
import type { KubeObject } from '../../core/manifest.ts';
import { describeKey, formatKey, keyOf } from '../../core/manifest.ts';
import { FIELD_MANAGER } from '../../core/keys.ts';
import type { Retention } from '../../core/sync/ownership.ts';
import { KubeApiError } from './api-error.ts';
import type { RestTransport } from './rest-transport.ts';
import { UnknownKindError, type ObjectAddress, type ResourceMap } from './resource-map.ts';

export interface ApplierOptions {
  /** How many requests are in flight at once. */
  readonly concurrency?: number;
  readonly fieldManager?: string;
}

export interface ApplyOutcome {
  readonly key: string;
  readonly object?: KubeObject;
  /** `Deployment shop/web: <API server message>`; absent on success. */
  readonly error?: string;
  readonly cause?: unknown;
}

function message(obj: { readonly key: ObjectAddress['key'] } | KubeObject, err: unknown): string {
  const key = 'metadata' in obj ? keyOf(obj) : { group: '', ...obj.key };
  return `${describeKey(key)}: ${err instanceof Error ? err.message : String(err)}`;
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class Applier {
  readonly #transport: RestTransport;
  readonly #resources: ResourceMap;
  readonly #concurrency: number;
  readonly #fieldManager: string;

  constructor(transport: RestTransport, resources: ResourceMap, options: ApplierOptions = {}) {
    this.#transport = transport;
    this.#resources = resources;
    this.#concurrency = options.concurrency ?? 16;
    this.#fieldManager = options.fieldManager ?? FIELD_MANAGER;
  }

  /** Server-side apply of one object; returns what the server stored (or would store, on dry-run). */
  async apply(obj: KubeObject, options: { readonly dryRun?: boolean } = {}): Promise<KubeObject> {
    const { status: _status, ...body } = obj;
    const query = { fieldManager: this.#fieldManager, force: 'true', dryRun: options.dryRun ? 'All' : undefined };
    return this.#resources.request({ apiVersion: obj.apiVersion, key: keyOf(obj) }, (path) =>
      this.#transport.request<KubeObject>({
        method: 'PATCH',
        path,
        body,
        contentType: 'application/apply-patch+yaml',
        query,
      }),
    );
  }

  /** Applies every object (a failure does not stop the others); outcomes in input order. */
  applyAll(objects: readonly KubeObject[], options: { readonly dryRun?: boolean } = {}): Promise<ApplyOutcome[]> {
    return mapConcurrently(objects, this.#concurrency, async (obj) => {
      const key = formatKey(keyOf(obj));
      try {
        return { key, object: await this.apply(obj, options) };
      } catch (err) {
        return { key, error: message(obj, err), cause: err };
      }
    });
  }

  /**
   * Creates an object and returns what the server stored; one that already exists (a resumed
   * operation created it) counts as created, and then nothing is returned.
   */
  async create(obj: KubeObject): Promise<KubeObject | undefined> {
    try {
      const query = { fieldManager: this.#fieldManager };
      return await this.#resources.request({ apiVersion: obj.apiVersion, key: { ...keyOf(obj), name: '' } }, (path) =>
        this.#transport.request<KubeObject>({ method: 'POST', path, body: obj, query }),
      );
    } catch (err) {
      if (!(err instanceof KubeApiError && err.reason === 'AlreadyExists'))
        throw new Error(message(obj, err), { cause: err });
      return undefined;
    }
  }

  /**
   * Deletes the object in the background (dependents follow) only if `retention` finds no
   * reason to keep it as it is at that moment: the object is read, asked about, and deleted
   * with the uid and resourceVersion it was read at as preconditions, so an object recreated
   * or changed in between fails the delete (409) and is read and asked about again. One that
   * is gone, or whose kind is no longer served, counts as gone.
   */
  async deleteIf(address: ObjectAddress, retention: RetentionRule): Promise<DeleteOutcome> {
    for (let attempt = 1; ; attempt++) {
      const live = await this.#read(address);
      if (!live) return { result: 'gone' };
      const kept = retention(live);
      if (kept) return { result: 'retained', retention: kept };
      const preconditions = { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion };
      const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', preconditions };
      try {
        await this.#resources.request(address, (path) => this.#transport.request({ method: 'DELETE', path, body }));
        return { result: 'deleted' };
      } catch (err) {
        if (isGone(err)) return { result: 'gone' };
        const changed = err instanceof KubeApiError && err.status === 409;
        if (!changed || attempt >= 5) throw new Error(message(address, err), { cause: err });
      }
    }
  }

  async #read(address: ObjectAddress): Promise<KubeObject | undefined> {
    try {
      const get = (path: string) => this.#transport.request<KubeObject>({ method: 'GET', path });
      return await this.#resources.request(address, get);
    } catch (err) {
      if (isGone(err)) return undefined;
      throw new Error(message(address, err), { cause: err });
    }
  }
}

/** Why the live object must stay, or undefined when it may be deleted (core/sync/ownership.ts retentionOf). */
export type RetentionRule = (live: KubeObject) => Retention | undefined;

export type DeleteOutcome =
  | { readonly result: 'deleted' | 'gone' }
  /** Left in place, and why. */
  | { readonly result: 'retained'; readonly retention: Retention };

/** The object does not exist: a 404, or its kind is not served (any more). */
function isGone(err: unknown): boolean {
  return (err instanceof KubeApiError && err.status === 404) || err instanceof UnknownKindError;
}
