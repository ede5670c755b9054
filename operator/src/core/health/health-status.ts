// The ordered health type: Healthy < Suspended < Progressing < Missing < Degraded < Unknown.
// The worst status of a set of resources is the health of the set (an app, an environment).
import { HEALTH_STATUSES, type HealthStatus } from '../../api/v1alpha1/environment.ts';

export { HEALTH_STATUSES, type HealthStatus };

export interface HealthAssessment {
  readonly status: HealthStatus;
  /** Why, for anything but Healthy: `2 of 3 updated replicas are available`. */
  readonly message?: string;
}

const RANK: Readonly<Record<HealthStatus, number>> = Object.fromEntries(
  HEALTH_STATUSES.map((status, i) => [status, i]),
) as Record<HealthStatus, number>;

/** Negative when `a` is better than `b`, positive when worse. */
export function compareHealth(a: HealthStatus, b: HealthStatus): number {
  return RANK[a] - RANK[b];
}

/** The worst of the assessments, with its message; Healthy for an empty list. */
export function worstHealth(assessments: Iterable<HealthAssessment>): HealthAssessment {
  let worst: HealthAssessment = { status: 'Healthy' };
  for (const a of assessments) {
    if (compareHealth(a.status, worst.status) > 0) worst = a;
  }
  return worst;
}

export const healthy: HealthAssessment = { status: 'Healthy' };

export function progressing(message: string): HealthAssessment {
  return { status: 'Progressing', message };
}

export function degraded(message: string): HealthAssessment {
  return { status: 'Degraded', message };
}

export function suspended(message: string): HealthAssessment {
  return { status: 'Suspended', message };
}
