// Strimzi Kafka: at the end of each reconciliation the Cluster Operator sets Ready=True, or
// NotReady=True with a reason — Creating while the cluster is first deployed, an exception name
// (TimeoutException, InvalidResourceException, …) when reconciliation failed; Warning conditions
// do not change readiness. The strimzi.io/pause-reconciliation annotation shows as
// ReconciliationPaused=True (Strimzi docs, "Deploying and Managing", Kafka status and "Pausing
// reconciliation of custom resources").
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from '../health-status.ts';
import {
  annotationOf,
  because,
  condition,
  isStatusBehind,
  isTrueValue,
  richConditions,
  specUpdatePending,
  waitingFor,
} from './fields.ts';

const CONTROLLER = 'the Strimzi Cluster Operator';

export function assessKafka(obj: KubeObject): HealthAssessment {
  const paused = condition(obj, 'ReconciliationPaused');
  if (paused?.status === 'True' || isTrueValue(annotationOf(obj, 'strimzi.io/pause-reconciliation'))) {
    return suspended('reconciliation is paused by the strimzi.io/pause-reconciliation annotation');
  }
  if (richConditions(obj).length === 0) return waitingFor(CONTROLLER);
  const notReady = condition(obj, 'NotReady');
  if (notReady?.status === 'True' && notReady.reason === 'Creating') {
    return progressing(because('the Kafka cluster is being deployed', notReady));
  }
  // The operator writes the status when a reconciliation ends: one behind the spec is about an older spec.
  if (isStatusBehind(obj)) return specUpdatePending(CONTROLLER);
  const ready = condition(obj, 'Ready');
  if (ready?.status === 'True') return healthy;
  if (notReady?.status === 'True') return degraded(because('the Kafka cluster is not ready', notReady));
  if (ready?.status === 'False') return degraded(because('the Kafka cluster is not ready', ready));
  return progressing('waiting for the Kafka cluster to become ready');
}
