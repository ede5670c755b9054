// PodDisruptionBudget: Healthy once the disruption controller has observed the latest spec
// and at least the required number of selected pods (status.desiredHealthy) are healthy.
// DisruptionAllowed=False for InsufficientPods is no fault of the budget (a single replica
// under minAvailable: 1 never allows a disruption, as Argo CD also decides); any other
// reason (SyncFailed: the controller could not compute the budget) is Degraded. A budget
// that selects no pod yet is Healthy, as kstatus and Argo CD have it: its workload may be in
// a later wave, and waiting here for pods that only that wave creates would never end.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from './health-status.ts';
import {
  conditionText,
  findCondition,
  generationOf,
  isGenerationPending,
  numberAt,
  observedGenerationOf,
  statusOf,
} from './object-fields.ts';

export function assessPodDisruptionBudget(obj: KubeObject): HealthAssessment {
  const status = statusOf(obj);
  if (isGenerationPending(obj)) {
    return progressing(
      'waiting for the PodDisruptionBudget spec update to be observed: ' +
        `generation ${generationOf(obj)}, observed ${observedGenerationOf(obj)}`,
    );
  }
  // Without observedGeneration the controller has not written the counts yet: zeros would look healthy.
  if (observedGenerationOf(obj) === undefined) {
    return progressing('waiting for the disruption controller to report its status');
  }
  const allowed = findCondition(obj, 'DisruptionAllowed');
  if (allowed?.status === 'False' && allowed.reason !== 'InsufficientPods') return degraded(conditionText(allowed));
  const current = numberAt(status, 'currentHealthy');
  const desired = numberAt(status, 'desiredHealthy');
  const selected = numberAt(status, 'expectedPods');
  if (selected > 0 && current < desired) {
    return progressing(`${current} of ${desired} required pods are healthy (${selected} selected)`);
  }
  return healthy;
}
