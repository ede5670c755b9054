// Ingress: Progressing until the ingress controller reports an address.
import type { KubeObject } from '../manifest.ts';
import { healthy, progressing, type HealthAssessment } from './health-status.ts';
import { arrayAt, recordAt, statusOf } from './object-fields.ts';

export function assessIngress(obj: KubeObject): HealthAssessment {
  const ingress = arrayAt(recordAt(statusOf(obj), 'loadBalancer'), 'ingress');
  return ingress.length > 0 ? healthy : progressing('waiting for the ingress controller to report an address');
}
