// Read-your-writes over a watch cache. resourceVersions are opaque by the API conventions,
// but every API server backed by etcd hands out its revisions, decimal and growing; a
// version that does not look like one is never trusted (the reader asks the API server).

/** Whether `version` is known to be at least `written`. */
export function resourceVersionAtLeast(version: string | undefined, written: string): boolean {
  return version !== undefined && /^\d+$/.test(version) && /^\d+$/.test(written) && BigInt(version) >= BigInt(written);
}

/**
 * The versions a reader wrote, by key, until its cache has caught up with them: fresh(key,
 * cachedVersion) tells whether a cached object may be used instead of a request.
 */
export class WrittenVersions {
  readonly #written = new Map<string, string>();

  /** Records a write (its response's resourceVersion); '' after a delete: nothing cached is fresh. */
  wrote(key: string, version: string | undefined): void {
    this.#written.set(key, version ?? '');
  }

  fresh(key: string, cachedVersion: string | undefined): boolean {
    const written = this.#written.get(key);
    if (written === undefined) return true;
    if (!resourceVersionAtLeast(cachedVersion, written)) return false;
    this.#written.delete(key); // the cache caught up
    return true;
  }
}
