// Health of one object, by kind: one dispatcher over one small rule per kind. An absent
// object is Missing; a kind without a rule is judged by its conditions, or Healthy; an object
// without metadata (a malformed read) is Unknown rather than a crash.
import type { KubeObject } from '../manifest.ts';
import { groupOf } from '../manifest.ts';
import { assessApiService } from './api-service.ts';
import { assessCronJob } from './cron-job.ts';
import { assessCustomResourceDefinition } from './custom-resource-definition.ts';
import { assessDaemonSet } from './daemon-set.ts';
import { assessDeployment } from './deployment.ts';
import { assessByConditions } from './generic-conditions.ts';
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

export { compareHealth, worstHealth, HEALTH_STATUSES, type HealthAssessment, type HealthStatus } from './health-status.ts';

type Rule = (obj: KubeObject) => HealthAssessment;

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

/** The health of a live object; `undefined` (not in the cluster) is Missing. */
export function assessHealth(obj: KubeObject | undefined): HealthAssessment {
  if (!obj) return { status: 'Missing', message: 'the object does not exist' };
  // A KubeObject by type, but one read from the cluster or a file may lack it: judge nothing then.
  if (!isRecord(obj.metadata)) {
    return { status: 'Unknown', message: 'health could not be assessed: the object has no metadata object' };
  }
  if (obj.metadata.deletionTimestamp) return { status: 'Progressing', message: 'the object is being deleted' };
  const rule = RULES.get(`${groupOf(obj.apiVersion)}/${obj.kind}`) ?? assessByConditions;
  try {
    return rule(obj);
  } catch (err) {
    return { status: 'Unknown', message: `health could not be assessed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
