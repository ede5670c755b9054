// HorizontalPodAutoscaler: Degraded when it cannot scale or cannot read its metrics.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from './health-status.ts';
import { conditionText, conditionsOf } from './object-fields.ts';

const BLOCKING = new Set(['AbleToScale', 'ScalingActive']);

export function assessHorizontalPodAutoscaler(obj: KubeObject): HealthAssessment {
  const conditions = conditionsOf(obj);
  if (conditions.length === 0) return progressing('waiting for the autoscaler to report its conditions');
  const failing = conditions.find((c) => BLOCKING.has(c.type) && c.status === 'False' && (c.reason ?? '').startsWith('Failed'));
  if (failing) return degraded(conditionText(failing));
  return healthy;
}
