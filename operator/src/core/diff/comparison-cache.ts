// Comparisons remembered by (desired hash, live resourceVersion): when neither the desired
// object nor the live one changed, the previous result stands and no dry-run is sent.
import type { ResourceComparison } from './compare.ts';

interface Entry {
  readonly desiredHash: string;
  readonly liveVersion: string;
  readonly result: ResourceComparison;
}

export class ComparisonCache {
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  get(key: string, desiredHash: string, liveVersion: string | undefined): ResourceComparison | undefined {
    const entry = this.#entries.get(key);
    if (entry && liveVersion !== undefined && entry.desiredHash === desiredHash && entry.liveVersion === liveVersion) {
      this.#hits++;
      return entry.result;
    }
    this.#misses++;
    return undefined;
  }

  set(key: string, desiredHash: string, liveVersion: string | undefined, result: ResourceComparison): void {
    if (liveVersion === undefined) return;
    this.#entries.set(key, { desiredHash, liveVersion, result });
  }

  /** Forgets keys that are no longer compared. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.#entries.keys()) if (!keys.has(key)) this.#entries.delete(key);
  }

  get stats(): { readonly hits: number; readonly misses: number; readonly size: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}
