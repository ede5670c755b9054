// DaemonSet: Healthy once every scheduled node runs an updated, available pod.
import type { KubeObject } from '../manifest.ts';
import { healthy, progressing, type HealthAssessment } from './health-status.ts';
import { isGenerationPending, numberAt, recordAt, specOf, stringAt, statusOf } from './object-fields.ts';

export function assessDaemonSet(obj: KubeObject): HealthAssessment {
  const status = statusOf(obj);
  if (isGenerationPending(obj)) return progressing('waiting for the DaemonSet spec update to be observed');
  if (stringAt(recordAt(specOf(obj), 'updateStrategy'), 'type') === 'OnDelete') return healthy;
  const desired = numberAt(status, 'desiredNumberScheduled');
  const updated = numberAt(status, 'updatedNumberScheduled');
  const available = numberAt(status, 'numberAvailable');
  if (updated < desired) return progressing(`${updated} of ${desired} scheduled pods are updated`);
  if (available < desired) return progressing(`${available} of ${desired} scheduled pods are available`);
  return healthy;
}
