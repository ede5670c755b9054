// Server-side apply with field manager `keelson` (force: Keelson owns what it declares),
// strict field validation unless asked otherwise, optionally as a dry-run; replace (PUT);
// creation of hook objects; deletion that checks, at the moment it deletes, that the object may be deleted (prune, hook clean-up, the finalizer). Many
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

export interface WriteOptions {
  readonly dryRun?: boolean;
  /** Strict refuses fields the schema does not know; Ignore drops them (sync option Validate=false). @default Strict */
  readonly fieldValidation?: 'Strict' | 'Ignore';
}

/** How a deletion treats the object's dependents (sync option PrunePropagationPolicy). */
export type Propagation = 'Foreground' | 'Background' | 'Orphan';

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

  /**
   * Server-side apply of one object; returns what the server stored (or would store, on
   * dry-run). With fieldValidation Ignore it is a merge patch (a create when the object does
   * not exist), since server-side apply refuses a field the schema does not declare whatever
   * fieldValidation says.
   */
  async apply(obj: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    if (options.fieldValidation === 'Ignore') return this.#mergeWrite(obj, options);
    const { status: _status, ...body } = obj;
    const query = { ...this.#query(options), force: 'true' };
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
  applyAll(
    objects: readonly KubeObject[],
    options: WriteOptions | ((obj: KubeObject) => WriteOptions) = {},
  ): Promise<ApplyOutcome[]> {
    const optionsOf = typeof options === 'function' ? options : () => options;
    return this.writeAll(objects, (obj) => this.apply(obj, optionsOf(obj)));
  }

  /** `write` over every object, at most the applier's concurrency at once; outcomes in input order. */
  writeAll(objects: readonly KubeObject[], write: (obj: KubeObject) => Promise<KubeObject>): Promise<ApplyOutcome[]> {
    return mapConcurrently(objects, this.#concurrency, async (obj) => {
      const key = formatKey(keyOf(obj));
      try {
        return { key, object: await write(obj) };
      } catch (err) {
        return { key, error: message(obj, err), cause: err };
      }
    });
  }

  /**
   * Replaces the whole object (a PUT at the resourceVersion just read), or creates it when it
   * does not exist (sync option Replace=true): fields others set are not kept, as with
   * `kubectl replace`.
   */
  async replace(obj: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    for (let attempt = 1; ; attempt++) {
      const live = await this.read({ apiVersion: obj.apiVersion, key: keyOf(obj) });
      const query = this.#query(options);
      const { status: _status, ...rest } = obj;
      try {
        if (!live) {
          return await this.#resources.request({ apiVersion: obj.apiVersion, key: { ...keyOf(obj), name: '' } }, (p) =>
            this.#transport.request<KubeObject>({ method: 'POST', path: p, body: rest, query }),
          );
        }
        const body = { ...rest, metadata: { ...rest.metadata, resourceVersion: live.metadata.resourceVersion } };
        return await this.#resources.request({ apiVersion: obj.apiVersion, key: keyOf(obj) }, (path) =>
          this.#transport.request<KubeObject>({ method: 'PUT', path, body, query }),
        );
      } catch (err) {
        // Changed (409) or created (AlreadyExists) in between: read it again.
        const raced = err instanceof KubeApiError && err.status === 409;
        if (!raced || attempt >= 5) throw err;
      }
    }
  }

  /** A merge patch of the object, or its creation when it does not exist. */
  async #mergeWrite(obj: KubeObject, options: WriteOptions): Promise<KubeObject> {
    const { status: _status, ...body } = obj;
    const query = this.#query(options);
    try {
      return await this.#resources.request({ apiVersion: obj.apiVersion, key: keyOf(obj) }, (path) =>
        this.#transport.request<KubeObject>({
          method: 'PATCH',
          path,
          body,
          contentType: 'application/merge-patch+json',
          query,
        }),
      );
    } catch (err) {
      const missing = err instanceof KubeApiError && err.status === 404 && err.subject?.name === obj.metadata.name;
      if (!missing) throw err;
      return this.#resources.request({ apiVersion: obj.apiVersion, key: { ...keyOf(obj), name: '' } }, (path) =>
        this.#transport.request<KubeObject>({ method: 'POST', path, body, query }),
      );
    }
  }

  #query(options: WriteOptions): Record<string, string | undefined> {
    return {
      fieldManager: this.#fieldManager,
      fieldValidation: options.fieldValidation ?? 'Strict',
      dryRun: options.dryRun ? 'All' : undefined,
    };
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
  async deleteIf(
    address: ObjectAddress,
    retention: RetentionRule,
    propagationPolicy: Propagation = 'Background',
  ): Promise<DeleteOutcome> {
    for (let attempt = 1; ; attempt++) {
      const live = await this.read(address);
      if (!live) return { result: 'gone' };
      const kept = retention(live);
      if (kept) return { result: 'retained', retention: kept };
      const preconditions = { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion };
      const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy, preconditions };
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

  /** The live object, or undefined when it does not exist (or its kind is not served). */
  async read(address: ObjectAddress): Promise<KubeObject | undefined> {
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
