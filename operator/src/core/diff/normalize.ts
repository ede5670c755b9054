// What does not count as drift: fields the API server writes (managedFields, uid,
// resourceVersion, timestamps, generation, status), bookkeeping annotations, and the
// fields that ignore rules name. Normalization works on copies and never mutates input.
import type { KubeObject } from '../manifest.ts';
import { hashSecretData } from './secret-data.ts';
import { removePointer } from './ignore-rules.ts';

const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionGracePeriodSeconds',
] as const;
const SERVER_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
] as const;

/**
 * A comparable copy: server-populated fields, status and ignored pointers removed; Secret
 * data hashed. Copies only what it changes (metadata, annotations), unless ignore pointers
 * reach into the body, which then is cloned; the input is never mutated.
 */
export function normalizeForDiff(obj: KubeObject, ignore: readonly string[] = []): KubeObject {
  const source = hashSecretData(obj);
  const { status: _status, ...rest } = source;
  const copy = (ignore.length > 0 ? structuredClone(rest) : rest) as KubeObject;
  const meta = { ...copy.metadata };
  for (const field of SERVER_METADATA) delete meta[field];
  if (meta.annotations && SERVER_ANNOTATIONS.some((a) => a in meta.annotations!)) {
    meta.annotations = { ...meta.annotations };
    for (const a of SERVER_ANNOTATIONS) delete meta.annotations[a];
  }
  if (meta.annotations && Object.keys(meta.annotations).length === 0) delete meta.annotations;
  if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
  copy.metadata = meta;
  for (const pointer of ignore) removePointer(copy, pointer);
  return copy;
}
