// CronJob: suspended is Suspended; a last scheduled run that has not succeeded (and is no
// longer running) is Degraded; otherwise Healthy — a schedule is healthy between runs.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, suspended, type HealthAssessment } from './health-status.ts';
import { arrayAt, specOf, stringAt, statusOf } from './object-fields.ts';

export function assessCronJob(obj: KubeObject): HealthAssessment {
  if (specOf(obj).suspend === true) return suspended('the CronJob is suspended');
  const status = statusOf(obj);
  const scheduled = stringAt(status, 'lastScheduleTime');
  const succeeded = stringAt(status, 'lastSuccessfulTime');
  const running = arrayAt(status, 'active').length > 0;
  if (scheduled && !running && (!succeeded || Date.parse(succeeded) < Date.parse(scheduled))) {
    return degraded(`the Job scheduled at ${scheduled} did not succeed`);
  }
  return healthy;
}
