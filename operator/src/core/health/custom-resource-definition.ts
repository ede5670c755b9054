// CustomResourceDefinition: Healthy once Established; names in conflict are Degraded.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from './health-status.ts';
import { conditionText, findCondition } from './object-fields.ts';

export function assessCustomResourceDefinition(obj: KubeObject): HealthAssessment {
  const names = findCondition(obj, 'NamesAccepted');
  if (names?.status === 'False') return degraded(conditionText(names));
  const terminating = findCondition(obj, 'Terminating');
  if (terminating?.status === 'True') return progressing('the CRD is being deleted');
  const established = findCondition(obj, 'Established');
  if (established?.status === 'True') return healthy;
  return progressing(established ? conditionText(established) : 'waiting for the CRD to be established');
}
