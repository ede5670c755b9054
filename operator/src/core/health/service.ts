// Service: a LoadBalancer is Progressing until the cloud reports an ingress point.
import type { KubeObject } from '../manifest.ts';
import { healthy, progressing, type HealthAssessment } from './health-status.ts';
import { arrayAt, recordAt, specOf, stringAt, statusOf } from './object-fields.ts';

export function assessService(obj: KubeObject): HealthAssessment {
  if (stringAt(specOf(obj), 'type') !== 'LoadBalancer') return healthy;
  const ingress = arrayAt(recordAt(statusOf(obj), 'loadBalancer'), 'ingress');
  return ingress.length > 0 ? healthy : progressing('waiting for the load balancer to get an address');
}
