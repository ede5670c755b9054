// Deployment: Healthy once every replica runs the latest template and is available.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from './health-status.ts';
import { findCondition, isGenerationPending, numberAt, specOf, statusOf } from './object-fields.ts';

export function assessDeployment(obj: KubeObject): HealthAssessment {
  const spec = specOf(obj);
  const status = statusOf(obj);
  if (spec.paused === true) return suspended('the Deployment is paused');
  if (isGenerationPending(obj)) return progressing('waiting for the Deployment spec update to be observed');
  const progress = findCondition(obj, 'Progressing');
  if (progress?.reason === 'ProgressDeadlineExceeded') {
    return degraded(`the Deployment exceeded its progress deadline${progress.message ? `: ${progress.message}` : ''}`);
  }
  const wanted = numberAt(spec, 'replicas', 1);
  const updated = numberAt(status, 'updatedReplicas');
  const total = numberAt(status, 'replicas');
  const available = numberAt(status, 'availableReplicas');
  if (updated < wanted) return progressing(`${updated} of ${wanted} replicas are updated`);
  if (total > updated) return progressing(`${total - updated} old replicas are pending termination`);
  if (available < updated) return progressing(`${available} of ${updated} updated replicas are available`);
  return healthy;
}
