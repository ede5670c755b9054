// Cluster API Cluster and Machine (cluster.x-k8s.io). Both have status.phase (Cluster: Pending,
// Provisioning, Provisioned, Deleting, Failed; Machine: Pending, Provisioning, Provisioned, Running,
// Deleting, Deleted, Failed) and conditions: v1beta1 has Ready with a severity (Error, Warning,
// Info) and status.failureReason/failureMessage for terminal failures; v1beta2 (CAPI v1.11+) has
// Available (Cluster) and Ready (Machine) without severity, the old failure fields moved under
// status.deprecated.v1beta1, plus a Paused condition (Cluster API book, "Cluster API v1beta2
// conditions" proposal and the API reference). Paused: Cluster spec.paused, or the
// cluster.x-k8s.io/paused annotation on any object.
//
// Judgement calls: a False readiness condition with severity Error is Degraded, Warning or Info is
// Progressing (CAPI uses those while work is under way). Without severity (v1beta2), a Cluster
// that is rolling out or scaling up is Progressing and otherwise Degraded; a Running Machine whose
// Ready is False is Degraded (its node is unhealthy), any earlier phase is Progressing.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from '../health-status.ts';
import { recordAt, specOf, statusOf, stringAt } from '../object-fields.ts';
import {
  annotationOf,
  because,
  condition,
  isConditionTrue,
  isStatusBehind,
  specUpdatePending,
  type RichCondition,
} from './fields.ts';

const CONTROLLER = 'Cluster API';

function pausedOrFailed(obj: KubeObject, what: string): HealthAssessment | undefined {
  const paused =
    specOf(obj).paused === true ||
    annotationOf(obj, 'cluster.x-k8s.io/paused') !== undefined ||
    isConditionTrue(obj, 'Paused');
  if (paused) return suspended(`the ${what} is paused: Cluster API does not reconcile it`);
  const status = statusOf(obj);
  const legacy = recordAt(recordAt(status, 'deprecated'), 'v1beta1');
  const reason = stringAt(status, 'failureReason') ?? stringAt(legacy, 'failureReason');
  const message = stringAt(status, 'failureMessage') ?? stringAt(legacy, 'failureMessage');
  if (reason || message) return degraded(`the ${what} failed: ${[reason, message].filter(Boolean).join(': ')}`);
  if (stringAt(status, 'phase') === 'Failed') return degraded(`the ${what} failed`);
  if (isStatusBehind(obj)) return specUpdatePending(CONTROLLER);
  return undefined;
}

function isSerious(c: RichCondition): boolean {
  return c.severity === 'Error';
}

export function assessCapiCluster(obj: KubeObject): HealthAssessment {
  const early = pausedOrFailed(obj, 'Cluster');
  if (early) return early;
  const phase = stringAt(statusOf(obj), 'phase');
  if (!phase) return progressing(`waiting for ${CONTROLLER} to provision the Cluster`);
  const ready = condition(obj, 'Available') ?? condition(obj, 'Ready');
  if (phase !== 'Provisioned') return progressing(because(`the Cluster is ${phase.toLowerCase()}`, ready));
  if (!ready || ready.status === 'True') return healthy;
  if (ready.status !== 'False') return progressing(because('the Cluster is not available yet', ready));
  if (ready.severity !== undefined) {
    if (isSerious(ready)) return degraded(because('the Cluster is not ready', ready));
    return progressing(because('the Cluster is not ready yet', ready));
  }
  const busy = ['RollingOut', 'ScalingUp', 'ScalingDown', 'Remediating'].find((t) => isConditionTrue(obj, t));
  if (busy) return progressing(because(`the Cluster is not available while ${busy}`, ready));
  return degraded(because('the Cluster is not available', ready));
}

export function assessCapiMachine(obj: KubeObject): HealthAssessment {
  const early = pausedOrFailed(obj, 'Machine');
  if (early) return early;
  const phase = stringAt(statusOf(obj), 'phase');
  if (!phase) return progressing(`waiting for ${CONTROLLER} to provision the Machine`);
  const ready = condition(obj, 'Ready');
  if (phase !== 'Running') {
    const doing = phase === 'Provisioned' ? 'provisioned and waits for its node to join' : phase.toLowerCase();
    return progressing(because(`the Machine is ${doing}`, ready));
  }
  if (!ready || ready.status === 'True') return healthy;
  if (ready.status !== 'False') return progressing(because('the Machine is not ready yet', ready));
  if (ready.severity !== undefined && !isSerious(ready)) {
    return progressing(because('the Machine is not ready yet', ready));
  }
  return degraded(because('the Machine is running but not ready', ready));
}
