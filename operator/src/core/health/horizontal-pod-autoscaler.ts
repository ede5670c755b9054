// HorizontalPodAutoscaler: Degraded when it cannot scale or cannot read its metrics. Read
// through autoscaling/v1 the object has no status.conditions: the API server keeps them, as
// JSON, in the autoscaling.alpha.kubernetes.io/conditions annotation, so they are read there.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from './health-status.ts';
import { annotationsOf, asConditions, conditionText, statusOf, type Condition } from './object-fields.ts';

const BLOCKING = new Set(['AbleToScale', 'ScalingActive']);

/** Reasons of a blocking condition that is False because something is broken (FailedGetScale, InvalidSelector…). */
const FAILURE_PREFIXES = ['Failed', 'Invalid'];

export const V1_CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

/** status.conditions, else those of the v1 annotation; a string when the annotation is not a JSON list. */
function conditionsOfAutoscaler(obj: KubeObject): Condition[] | string {
  const status = statusOf(obj);
  if (Array.isArray(status.conditions)) return asConditions(status.conditions);
  const annotation = annotationsOf(obj)[V1_CONDITIONS_ANNOTATION];
  if (annotation === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(annotation);
    return Array.isArray(parsed) ? asConditions(parsed) : `the ${V1_CONDITIONS_ANNOTATION} annotation is not a list`;
  } catch {
    return `the ${V1_CONDITIONS_ANNOTATION} annotation is not valid JSON`;
  }
}

export function assessHorizontalPodAutoscaler(obj: KubeObject): HealthAssessment {
  const conditions = conditionsOfAutoscaler(obj);
  if (typeof conditions === 'string') return { status: 'Unknown', message: conditions };
  if (conditions.length === 0) return progressing('waiting for the autoscaler to report its conditions');
  const failing = conditions.find(
    (c) =>
      BLOCKING.has(c.type) &&
      c.status === 'False' &&
      FAILURE_PREFIXES.some((prefix) => (c.reason ?? '').startsWith(prefix)),
  );
  if (failing) return degraded(conditionText(failing));
  return healthy;
}
