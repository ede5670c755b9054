// Comparisons remembered by (desired hash, live fingerprint): when neither the desired
// object nor what the comparison depends on in the live one changed, the previous result
// stands and no dry-run is sent. The fingerprint leaves out what a server-side apply result
// does not depend on (status, resourceVersion, timestamps, other managers' status writes),
// so a Deployment rolling out, which rewrites its status many times, stays cached.
import { FIELD_MANAGER } from '../keys.ts';
import type { KubeObject } from '../manifest.ts';
import type { ResourceComparison } from './compare.ts';
import { normalizeForDiff } from './normalize.ts';
import { hashObject } from './object-hash.ts';

interface Entry {
  readonly desiredHash: string;
  readonly fingerprint: string;
  readonly result: ResourceComparison;
  /** When a server-side dry-run or apply of this desired object last succeeded (ms since the epoch). */
  readonly verifiedAt: number;
}

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly fieldsV1?: unknown;
}

/**
 * What the result of applying a desired object to `live` depends on: the normalized
 * content (drift shows there) and the fields Keelson's apply owns (a field it stops
 * declaring is removed only if it owns it). Other managers' ownership does not count:
 * Keelson applies with force.
 */
export function liveFingerprint(live: KubeObject, fieldManager = FIELD_MANAGER): string {
  const managed = (live.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  const owned = managed.filter((m) => m.manager === fieldManager && m.operation === 'Apply').map((m) => m.fieldsV1);
  return hashObject([normalizeForDiff(live), owned]);
}

/**
 * A live object as the watches keep it: without the managedFields entries of other managers
 * (the controllers' status writes, kubectl's edits), which no comparison reads (liveFingerprint
 * reads Keelson's own) and which are a large part of a busy object. Everything else stays.
 */
export function withOwnManagedFields<T extends { readonly metadata?: object }>(
  live: T,
  fieldManager = FIELD_MANAGER,
): T {
  const metadata = live.metadata as { managedFields?: ManagedFieldsEntry[] } | undefined;
  const managed = metadata?.managedFields;
  if (!managed || managed.every((m) => m.manager === fieldManager)) return live;
  return { ...live, metadata: { ...metadata, managedFields: managed.filter((m) => m.manager === fieldManager) } };
}

export class ComparisonCache {
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  get(key: string, desiredHash: string, fingerprint: string): ResourceComparison | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.desiredHash === desiredHash && entry.fingerprint === fingerprint) {
      this.#hits++;
      return entry.result;
    }
    this.#misses++;
    return undefined;
  }

  /** Remembers a comparison whose dry-run (or apply) succeeded at `now`. */
  set(key: string, desiredHash: string, fingerprint: string, result: ResourceComparison, now: number): void {
    this.#entries.set(key, { desiredHash, fingerprint, result, verifiedAt: now });
  }

  /** Whether the API server accepted this desired object (dry-run or apply) at or after `since`. */
  verifiedSince(key: string, desiredHash: string, since: number): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.desiredHash === desiredHash && entry.verifiedAt >= since;
  }

  /** Forgets keys that are no longer compared. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.#entries.keys()) if (!keys.has(key)) this.#entries.delete(key);
  }

  get stats(): { readonly hits: number; readonly misses: number; readonly size: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}
