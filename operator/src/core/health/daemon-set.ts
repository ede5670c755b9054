// DaemonSet: Healthy once every scheduled node runs an updated, available pod. Until the
// controller has observed the latest generation its counts describe an older spec (or, with
// no status.observedGeneration at all, nothing yet), so the DaemonSet is Progressing.
import type { KubeObject } from '../manifest.ts';
import { healthy, progressing, type HealthAssessment } from './health-status.ts';
import {
  generationOf,
  isGenerationPending,
  numberAt,
  observedGenerationOf,
  recordAt,
  specOf,
  stringAt,
  statusOf,
} from './object-fields.ts';

export function assessDaemonSet(obj: KubeObject): HealthAssessment {
  const status = statusOf(obj);
  const generation = generationOf(obj);
  if (isGenerationPending(obj)) {
    return progressing(
      `waiting for the DaemonSet spec update to be observed: generation ${generation}, ` +
        `observed ${observedGenerationOf(obj)}`,
    );
  }
  // The API server sets metadata.generation; the controller answers with observedGeneration.
  if (generation !== undefined && observedGenerationOf(obj) === undefined) {
    return progressing('waiting for the DaemonSet controller to report its status');
  }
  if (stringAt(recordAt(specOf(obj), 'updateStrategy'), 'type') === 'OnDelete') return healthy;
  const desired = numberAt(status, 'desiredNumberScheduled');
  const updated = numberAt(status, 'updatedNumberScheduled');
  const available = numberAt(status, 'numberAvailable');
  if (updated < desired) return progressing(`${updated} of ${desired} scheduled pods are updated`);
  if (available < desired) return progressing(`${available} of ${desired} scheduled pods are available`);
  return healthy;
}
