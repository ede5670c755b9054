// A bounded cache of results by key, least recently used out first. A failed computation
// is not kept. What main.ts keeps synthesis results in: a revision's synthesis never changes.

export class ResultCache<T> {
  readonly #max: () => number;
  readonly #entries = new Map<string, Promise<T>>();

  /** @param max entries kept; a function when it follows the fleet (one per Environment at its revision) */
  constructor(max: number | (() => number)) {
    this.#max = typeof max === 'number' ? () => max : max;
  }

  /** The cached result of `key`, or `compute()`'s (cached when `cacheable`). */
  get(key: string, cacheable: boolean, compute: () => Promise<T>): Promise<T> {
    if (!cacheable) return compute();
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const running = compute();
    this.#entries.set(key, running);
    running.catch(() => this.#entries.delete(key));
    const max = this.#max();
    while (this.#entries.size > max) this.#entries.delete(this.#entries.keys().next().value!);
    return running;
  }

  get size(): number {
    return this.#entries.size;
  }
}
