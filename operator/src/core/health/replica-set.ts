// ReplicaSet: Healthy once the wanted replicas are available; a ReplicaFailure is Degraded.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from './health-status.ts';
import { conditionText, findCondition, isGenerationPending, numberAt, specOf, statusOf } from './object-fields.ts';

export function assessReplicaSet(obj: KubeObject): HealthAssessment {
  if (isGenerationPending(obj)) return progressing('waiting for the ReplicaSet spec update to be observed');
  const failure = findCondition(obj, 'ReplicaFailure');
  if (failure?.status === 'True') return degraded(conditionText(failure));
  const wanted = numberAt(specOf(obj), 'replicas', 1);
  const available = numberAt(statusOf(obj), 'availableReplicas');
  if (available < wanted) return progressing(`${available} of ${wanted} replicas are available`);
  return healthy;
}
