// StatefulSet: Healthy once the update revision is rolled out and every replica is ready.
import type { KubeObject } from '../manifest.ts';
import { healthy, progressing, type HealthAssessment } from './health-status.ts';
import { isGenerationPending, numberAt, recordAt, specOf, stringAt, statusOf } from './object-fields.ts';

export function assessStatefulSet(obj: KubeObject): HealthAssessment {
  const spec = specOf(obj);
  const status = statusOf(obj);
  if (isGenerationPending(obj)) return progressing('waiting for the StatefulSet spec update to be observed');
  const wanted = numberAt(spec, 'replicas', 1);
  const ready = numberAt(status, 'readyReplicas');
  if (ready < wanted) return progressing(`${ready} of ${wanted} replicas are ready`);
  const strategy = recordAt(spec, 'updateStrategy');
  if (stringAt(strategy, 'type') === 'OnDelete') return healthy;
  const partition = numberAt(recordAt(strategy, 'rollingUpdate'), 'partition');
  const updated = numberAt(status, 'updatedReplicas');
  if (partition > 0) {
    const expected = Math.max(0, wanted - partition);
    return updated < expected
      ? progressing(`${updated} of ${expected} replicas above the partition are updated`)
      : healthy;
  }
  const current = stringAt(status, 'currentRevision');
  const update = stringAt(status, 'updateRevision');
  if (update && current !== update)
    return progressing(`rolling out revision ${update}: ${updated} of ${wanted} replicas are updated`);
  return healthy;
}
