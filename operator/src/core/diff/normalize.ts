// What does not count as drift: fields the API server writes (managedFields, uid,
// resourceVersion, timestamps, generation, status), bookkeeping annotations, and the
// fields that ignore rules name. Normalization works on copies and never mutates input.
import type { KubeObject } from '../manifest.ts';
import { hashSecretData } from './secret-data.ts';
import { removePointer } from './ignore-rules.ts';

const SERVER_METADATA = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink', 'deletionGracePeriodSeconds'] as const;
const SERVER_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'] as const;

/** A comparable copy: server-populated fields, status and ignored pointers removed; Secret data hashed. */
export function normalizeForDiff(obj: KubeObject, ignore: readonly string[] = []): KubeObject {
  const copy = structuredClone(hashSecretData(obj)) as KubeObject;
  delete copy.status;
  const meta = copy.metadata;
  for (const field of SERVER_METADATA) delete meta[field];
  if (meta.annotations) {
    for (const a of SERVER_ANNOTATIONS) delete meta.annotations[a];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  }
  if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
  for (const pointer of ignore) removePointer(copy, pointer);
  return copy;
}
