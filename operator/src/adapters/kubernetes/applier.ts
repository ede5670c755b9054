// Server-side apply with field manager `keelson` (force: Keelson owns what it declares),
// optionally as a dry-run; creation and deletion of hook objects; deletion for pruning.
// Many objects go out at once over the transport's keep-alive connections.
import type { KubeObject } from '../../core/manifest.ts';
import { describeKey, formatKey, keyOf } from '../../core/manifest.ts';
import { FIELD_MANAGER } from '../../core/keys.ts';
import { KubeApiError, type RestTransport } from './rest-transport.ts';
import type { ObjectAddress, ResourceMap } from './resource-map.ts';

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
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
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
    const path = await this.#resources.pathOf({ apiVersion: obj.apiVersion, key: keyOf(obj) });
    const { status: _status, ...body } = obj;
    return this.#transport.request<KubeObject>({
      method: 'PATCH', path, body, contentType: 'application/apply-patch+yaml',
      query: { fieldManager: this.#fieldManager, force: 'true', dryRun: options.dryRun ? 'All' : undefined },
    });
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
    const path = await this.#resources.pathOf({ apiVersion: obj.apiVersion, key: { ...keyOf(obj), name: '' } });
    try {
      return await this.#transport.request<KubeObject>({ method: 'POST', path, body: obj, query: { fieldManager: this.#fieldManager } });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.reason === 'AlreadyExists')) throw new Error(message(obj, err), { cause: err });
      return undefined;
    }
  }

  /** Deletes an object in the background (dependents follow); one already gone counts as deleted. */
  async delete(address: ObjectAddress): Promise<void> {
    const path = await this.#resources.pathOf(address);
    try {
      await this.#transport.request({ method: 'DELETE', path, body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw new Error(message(address, err), { cause: err });
    }
  }
}
