// Secret values never take part in a diff as themselves: `data` and `stringData` are
// replaced by SHA-256 hashes of the decoded bytes, so equal values compare equal, and the
// diff output prints neither the value nor the hash.
import type { KubeObject } from '../manifest.ts';
import { groupOf } from '../manifest.ts';
import { hashBytes } from './object-hash.ts';

export function isSecret(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return groupOf(obj.apiVersion) === '' && obj.kind === 'Secret';
}

/** A copy of a Secret with `data` (and `stringData` merged into it) as `sha256:<hex>` per key. */
export function hashSecretData(obj: KubeObject): KubeObject {
  if (!isSecret(obj)) return obj;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) {
    data[k] = `sha256:${hashBytes(Buffer.from(String(v), 'base64'))}`;
  }
  for (const [k, v] of Object.entries((obj.stringData ?? {}) as Record<string, string>)) {
    data[k] = `sha256:${hashBytes(Buffer.from(String(v), 'utf8'))}`;
  }
  const { stringData: _dropped, ...rest } = obj;
  return Object.keys(data).length > 0 || obj.data !== undefined ? { ...rest, data } : rest;
}

/** True for a path that holds secret material: `/data/...` or `/stringData/...` of a Secret. */
export function isSecretPath(obj: Pick<KubeObject, 'apiVersion' | 'kind'>, path: string): boolean {
  return (
    isSecret(obj) &&
    (path === '/data' || path.startsWith('/data/') || path === '/stringData' || path.startsWith('/stringData/'))
  );
}
