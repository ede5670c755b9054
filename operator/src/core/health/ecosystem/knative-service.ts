// Knative Serving Service: Ready sums up ConfigurationsReady (the latest Revision is ready) and
// RoutesReady (traffic reaches it); Unknown while a new Revision rolls out, False with a reason
// like RevisionFailed or RevisionMissing when it will not (Knative docs, "Serving API" and the
// Knative condition conventions in knative.dev/pkg/apis/duck/v1: Status, Conditions).
import type { KubeObject } from '../../manifest.ts';
import { degraded, type HealthAssessment } from '../health-status.ts';
import { because, condition, assessReadyCondition } from './fields.ts';

export function assessKnativeService(obj: KubeObject): HealthAssessment {
  const health = assessReadyCondition(obj, {
    controller: 'Knative Serving',
    failure: 'the Service is not serving',
    pending: 'the Service is not ready yet',
  });
  if (health.status !== 'Degraded') return health;
  // Name the part that failed, when Ready's own message does not say more than its reason.
  const part = ['ConfigurationsReady', 'RoutesReady'].map((t) => condition(obj, t)).find((c) => c?.status === 'False');
  return part && !condition(obj, 'Ready')?.message ? degraded(because('the Service is not serving', part)) : health;
}
