// A stable hash of an object: the same content gives the same hash whatever the key order.
import { createHash } from 'node:crypto';

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = stable((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** JSON with object keys sorted. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(stable(value));
}

/** SHA-256 (hex) of the stable JSON form. */
export function hashObject(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}

export function hashBytes(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
