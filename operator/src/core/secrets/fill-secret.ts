// Turns a PassSecret placeholder into the Secret that is applied: resolved values go into
// `data`, and a keyed hash of them (never the values) into `keelson.dev/secret-hash`, so a
// changed entry changes the object and the diff says "changed" without saying what.
import { createHmac } from 'node:crypto';
import { ANNOTATION_SECRET_HASH } from '../keys.ts';
import type { KubeObject } from '../manifest.ts';

/**
 * HMAC-SHA-256 over the data keys and values, sorted by key. The key is secret to the
 * operator (derived from the private key), so a weak password cannot be guessed from the hash.
 */
export function hashSecretValues(values: ReadonlyMap<string, string>, hashKey: Uint8Array): string {
  const hmac = createHmac('sha256', hashKey);
  for (const key of [...values.keys()].sort()) {
    const value = values.get(key)!;
    hmac.update(`${Buffer.byteLength(key)}:${key}${Buffer.byteLength(value)}:`);
    hmac.update(value);
  }
  return `hmac-sha256:${hmac.digest('hex')}`;
}

/** A copy of the Secret with `data` filled from `values` (base64) and the hash annotation set. */
export function fillSecret(secret: KubeObject, values: ReadonlyMap<string, string>, hashKey: Uint8Array): KubeObject {
  const data: Record<string, string> = { ...(secret.data as Record<string, string> | undefined) };
  for (const [key, value] of values) data[key] = Buffer.from(value, 'utf8').toString('base64');
  const stringData = secret.stringData as Record<string, string> | undefined;
  const remaining = stringData
    ? Object.fromEntries(Object.entries(stringData).filter(([k]) => !values.has(k)))
    : undefined;
  const filled: KubeObject = {
    ...secret,
    metadata: {
      ...secret.metadata,
      annotations: { ...secret.metadata.annotations, [ANNOTATION_SECRET_HASH]: hashSecretValues(values, hashKey) },
    },
    data,
  };
  if (remaining && Object.keys(remaining).length > 0) filled.stringData = remaining;
  else delete filled.stringData;
  return filled;
}
