// Job: Complete is Healthy, Failed is Degraded, suspended is Suspended, anything else runs.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from './health-status.ts';
import { conditionText, findCondition, numberAt, specOf, statusOf } from './object-fields.ts';

export function assessJob(obj: KubeObject): HealthAssessment {
  const failed = findCondition(obj, 'Failed');
  if (failed?.status === 'True') return degraded(`the Job failed: ${conditionText(failed)}`);
  const complete = findCondition(obj, 'Complete') ?? findCondition(obj, 'SuccessCriteriaMet');
  if (complete?.status === 'True') return healthy;
  if (specOf(obj).suspend === true) return suspended('the Job is suspended');
  const active = numberAt(statusOf(obj), 'active');
  return progressing(active > 0 ? `${active} pods are running` : 'the Job is starting');
}
