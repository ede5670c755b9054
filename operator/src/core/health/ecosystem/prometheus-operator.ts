// prometheus-operator Prometheus and Alertmanager (monitoring.coreos.com). Since v0.56 the operator
// writes two conditions (API docs, "Condition" and "ConditionStatus"): Available — True when every
// pod is ready, "Degraded" (reason SomePodsNotReady) when some are, False (NoPodReady) when none
// are — and Reconciled, False when the operator cannot turn the spec into workloads (a bad secret
// reference, an invalid config). spec.paused stops the operator from managing the object.
//
// Judgement call: pods that are not ready (Available False or "Degraded") are Progressing, not
// Degraded: that is also what a fresh install or a rolling update looks like, and a sync must not
// fail on it. A failed reconciliation is Degraded. Operators before v0.56 write no conditions;
// then the replica counts decide.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from '../health-status.ts';
import { numberAt, specOf, statusOf } from '../object-fields.ts';
import {
  because,
  condition,
  hasStatus,
  isConditionBehind,
  richConditions,
  specUpdatePending,
  waitingFor,
} from './fields.ts';

const CONTROLLER = 'the Prometheus operator';

function byReplicaCounts(obj: KubeObject, what: string): HealthAssessment {
  if (!hasStatus(obj)) return waitingFor(CONTROLLER);
  const wanted = numberAt(specOf(obj), 'replicas', 1);
  const available = numberAt(statusOf(obj), 'availableReplicas');
  return available < wanted ? progressing(`${available} of ${wanted} ${what} pods are available`) : healthy;
}

function assessMonitoringWorkload(obj: KubeObject, what: string): HealthAssessment {
  if (specOf(obj).paused === true) return suspended(`the ${what} is paused: the operator does not reconcile it`);
  if (richConditions(obj).length === 0) return byReplicaCounts(obj, what);
  const reconciled = condition(obj, 'Reconciled');
  const available = condition(obj, 'Available');
  if (isConditionBehind(obj, reconciled) || isConditionBehind(obj, available)) return specUpdatePending(CONTROLLER);
  if (reconciled?.status === 'False') {
    return degraded(because(`the operator could not reconcile the ${what}`, reconciled));
  }
  if (available?.status === 'True') return healthy;
  if (!available) return progressing(because(`waiting for the ${what} pods`, reconciled));
  return progressing(because(`the ${what} pods are not all ready`, available));
}

export function assessPrometheus(obj: KubeObject): HealthAssessment {
  return assessMonitoringWorkload(obj, 'Prometheus');
}

export function assessAlertmanager(obj: KubeObject): HealthAssessment {
  return assessMonitoringWorkload(obj, 'Alertmanager');
}
