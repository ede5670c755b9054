// PersistentVolumeClaim: Bound is Healthy, Pending waits, Lost is Degraded.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from './health-status.ts';
import { stringAt, statusOf } from './object-fields.ts';

export function assessPersistentVolumeClaim(obj: KubeObject): HealthAssessment {
  const phase = stringAt(statusOf(obj), 'phase');
  if (phase === 'Bound') return healthy;
  if (phase === 'Lost') return degraded('the claim lost its volume');
  return progressing(`the claim is ${phase ?? 'not yet bound'}`);
}
