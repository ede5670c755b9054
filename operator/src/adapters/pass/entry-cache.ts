// Decrypted entries in memory only, keyed by the Git blob id of the encrypted file (and the
// key that decrypted it), bounded in count, bytes and time. A changed entry is a new blob,
// so it is never served stale; an unchanged one is not decrypted again.
import { createHash } from 'node:crypto';

export interface EntryCacheOptions {
  /** @default 5_000 */
  readonly maxEntries?: number;
  /** Total UTF-16 size of the cached plaintexts. @default 8 MiB */
  readonly maxBytes?: number;
  /** How long an entry stays after it was decrypted. @default 600_000 (ten minutes) */
  readonly ttlMs?: number;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

interface Slot {
  readonly text: string;
  readonly expires: number;
}

/** The Git blob id of some bytes (what `git hash-object` prints), the same for a file on disk and in a repository. */
export function gitBlobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

export class EntryCache {
  readonly #options: Required<EntryCacheOptions>;
  readonly #slots = new Map<string, Slot>();
  #bytes = 0;
  #nextSweep = 0;

  constructor(options: EntryCacheOptions = {}) {
    this.#options = { maxEntries: 5_000, maxBytes: 8 * 1024 * 1024, ttlMs: 600_000, now: Date.now, ...options };
  }

  get size(): number {
    return this.#slots.size;
  }

  get(key: string): string | undefined {
    const slot = this.#slots.get(key);
    if (!slot) return undefined;
    this.#drop(key, slot);
    if (slot.expires <= this.#options.now()) return undefined;
    this.#slots.set(key, slot);
    this.#bytes += slot.text.length * 2;
    return slot.text;
  }

  set(key: string, text: string): void {
    const size = text.length * 2;
    if (size > this.#options.maxBytes) return;
    this.#sweepExpired();
    const old = this.#slots.get(key);
    if (old) this.#drop(key, old);
    this.#slots.set(key, { text, expires: this.#options.now() + this.#options.ttlMs });
    this.#bytes += size;
    for (const [k, slot] of this.#slots) {
      if (this.#slots.size <= this.#options.maxEntries && this.#bytes <= this.#options.maxBytes) break;
      this.#drop(k, slot);
    }
  }

  clear(): void {
    this.#slots.clear();
    this.#bytes = 0;
  }

  /** Drops expired plaintexts (at most every tenth of the time to live), so they do not wait for eviction. */
  #sweepExpired(): void {
    const now = this.#options.now();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + this.#options.ttlMs / 10;
    for (const [k, slot] of this.#slots) if (slot.expires <= now) this.#drop(k, slot);
  }

  #drop(key: string, slot: Slot): void {
    this.#slots.delete(key);
    this.#bytes -= slot.text.length * 2;
  }
}
