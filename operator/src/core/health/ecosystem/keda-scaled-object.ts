// KEDA ScaledObject (KEDA docs, "Scaling Deployments, StatefulSets & Custom Resources" and the
// ScaledObject status): Ready=True once the scale target and triggers are valid and the HPA exists;
// Active says whether triggers currently ask for replicas (False is idle, not unhealthy); Fallback=True
// when the scalers fail and KEDA holds the fallback replica count; Paused=True while the
// autoscaling.keda.sh/paused(-replicas) annotation stops autoscaling.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from '../health-status.ts';
import { annotationOf, because, condition, isTrueValue, waitingFor } from './fields.ts';

export function assessScaledObject(obj: KubeObject): HealthAssessment {
  const paused = condition(obj, 'Paused');
  if (paused?.status === 'True') return suspended(because('autoscaling is paused', paused));
  const pausedReplicas = annotationOf(obj, 'autoscaling.keda.sh/paused-replicas');
  if (!paused && (isTrueValue(annotationOf(obj, 'autoscaling.keda.sh/paused')) || pausedReplicas !== undefined)) {
    const at = pausedReplicas !== undefined ? ` at ${pausedReplicas} replicas` : '';
    return suspended(`autoscaling is paused by annotation${at}`);
  }
  const ready = condition(obj, 'Ready');
  if (ready?.status === 'False') return degraded(because('the ScaledObject is not ready', ready));
  const fallback = condition(obj, 'Fallback');
  if (fallback?.status === 'True') {
    return degraded(because('the scalers are failing and KEDA holds the fallback replicas', fallback));
  }
  if (ready?.status === 'True') return healthy;
  if (!ready) return waitingFor('KEDA');
  return progressing(because('KEDA is setting up autoscaling', ready));
}
