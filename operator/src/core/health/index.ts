// Health of one object, by kind: one dispatcher over one small rule per kind. An absent
// object is Missing. The rules are looked up in order: the user's (Lua scripts from the
// operator's configuration, which may override any kind), Keelson's own for core kinds, the
// ecosystem's (cert-manager, Argo, Flux, … in ecosystem/), and the generic kstatus rule.
import type { KubeObject } from '../manifest.ts';
import { groupOf } from '../manifest.ts';
import { assessApiService } from './api-service.ts';
import { assessCronJob } from './cron-job.ts';
import { assessCustomResourceDefinition } from './custom-resource-definition.ts';
import { assessDaemonSet } from './daemon-set.ts';
import { assessDeployment } from './deployment.ts';
import { assessByConditions } from './generic-conditions.ts';
import { ecosystemRuleFor } from './ecosystem/index.ts';
import type { HealthAssessment } from './health-status.ts';
import { assessHorizontalPodAutoscaler } from './horizontal-pod-autoscaler.ts';
import { assessIngress } from './ingress.ts';
import { assessJob } from './job.ts';
import { isRecord } from './object-fields.ts';
import { assessPersistentVolumeClaim } from './persistent-volume-claim.ts';
import { assessPod } from './pod.ts';
import { assessPodDisruptionBudget } from './pod-disruption-budget.ts';
import { assessReplicaSet } from './replica-set.ts';
import { assessService } from './service.ts';
import { assessStatefulSet } from './stateful-set.ts';

export {
  compareHealth,
  worstHealth,
  HEALTH_STATUSES,
  type HealthAssessment,
  type HealthStatus,
} from './health-status.ts';

/** The health of one object of a kind. */
export type HealthRule = (obj: KubeObject) => HealthAssessment;
type Rule = HealthRule;

/** Rules that users configure, by group ('' for the core group) and kind. */
export interface HealthRuleSource {
  ruleFor(group: string, kind: string): HealthRule | undefined;
}

/** Judges a live object (undefined: not in the cluster). */
export type HealthAssessor = (obj: KubeObject | undefined) => HealthAssessment;

/** `group/Kind` → rule. */
const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['apps/Deployment', assessDeployment],
  ['apps/StatefulSet', assessStatefulSet],
  ['apps/DaemonSet', assessDaemonSet],
  ['apps/ReplicaSet', assessReplicaSet],
  ['/Pod', assessPod],
  ['batch/Job', assessJob],
  ['batch/CronJob', assessCronJob],
  ['/Service', assessService],
  ['networking.k8s.io/Ingress', assessIngress],
  ['/PersistentVolumeClaim', assessPersistentVolumeClaim],
  ['autoscaling/HorizontalPodAutoscaler', assessHorizontalPodAutoscaler],
  ['policy/PodDisruptionBudget', assessPodDisruptionBudget],
  ['apiregistration.k8s.io/APIService', assessApiService],
  ['apiextensions.k8s.io/CustomResourceDefinition', assessCustomResourceDefinition],
]);

/** The health of a live object with the built-in rules; `undefined` (not in the cluster) is Missing. */
export const assessHealth: HealthAssessor = (obj) => judge(obj, undefined);

/** An assessor that tries the user's rules first, then the built-in ones. */
export function healthAssessor(user: HealthRuleSource | undefined): HealthAssessor {
  return user ? (obj) => judge(obj, user) : assessHealth;
}

function judge(obj: KubeObject | undefined, user: HealthRuleSource | undefined): HealthAssessment {
  if (!obj) return { status: 'Missing', message: 'the object does not exist' };
  // A KubeObject by type, but one read from the cluster or a file may lack it: judge nothing then.
  if (!isRecord(obj.metadata)) {
    return { status: 'Unknown', message: 'health could not be assessed: the object has no metadata object' };
  }
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    return { status: 'Unknown', message: 'health could not be assessed: the object has no apiVersion or kind' };
  }
  if (obj.metadata.deletionTimestamp) return { status: 'Progressing', message: 'the object is being deleted' };
  const group = groupOf(obj.apiVersion);
  try {
    const rule =
      user?.ruleFor(group, obj.kind) ??
      RULES.get(`${group}/${obj.kind}`) ??
      ecosystemRuleFor(obj) ??
      assessByConditions;
    return rule(obj);
  } catch (err) {
    return {
      status: 'Unknown',
      message: `health could not be assessed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
