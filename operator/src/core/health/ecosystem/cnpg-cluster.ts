// CloudNativePG Cluster: status.phase is a sentence the operator sets (api/v1 cluster_types.go:
// "Cluster in healthy state", "Setting up primary", "Failing over", …), with status.phaseReason
// saying why. Hibernation (the cnpg.io/hibernation annotation) shows as the cnpg.io/hibernation
// condition; the cnpg.io/reconciliationLoop annotation "disabled" stops the operator (CloudNativePG
// docs, "Declarative hibernation" and "Kubectl plugin").
//
// Judgement calls (they differ from Argo CD's check): switchover, failover, restarts, online
// upgrades and "Applying configuration" are Progressing — they are what a spec change or a node
// drain sets off and the operator finishes them itself. "Waiting for user action" (a supervised
// primary update) is Suspended. Phases that need a person to fix something (unrecoverable,
// cannot create objects, plugin or image catalog errors) are Degraded. Unknown phases: Progressing.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from '../health-status.ts';
import { statusOf, stringAt } from '../object-fields.ts';
import { annotationOf, because, condition, isStatusBehind, specUpdatePending, waitingFor } from './fields.ts';

const CONTROLLER = 'the CloudNativePG operator';
const HEALTHY_PHASE = 'Cluster in healthy state';
const WAITING_FOR_USER = 'Waiting for user action';
/** Phases the operator cannot leave alone; matched by word to survive rewording across versions. */
const FAILED_PHASE = /unrecoverable|cannot|unable|invalid|missing|error/i;

export function assessCnpgCluster(obj: KubeObject): HealthAssessment {
  const hibernation = condition(obj, 'cnpg.io/hibernation');
  if (hibernation?.status === 'True') return suspended(because('the cluster is hibernated', hibernation));
  const loop = annotationOf(obj, 'cnpg.io/reconciliationLoop') ?? annotationOf(obj, 'cnpg.io/reconciliation');
  if (loop === 'disabled') return suspended('reconciliation is disabled by annotation: the operator leaves it alone');
  const status = statusOf(obj);
  const phase = stringAt(status, 'phase');
  if (!phase) return waitingFor(CONTROLLER);
  if (isStatusBehind(obj)) return specUpdatePending(CONTROLLER);
  const reason = stringAt(status, 'phaseReason');
  const text = reason ? `${phase}: ${reason}` : phase;
  if (phase === HEALTHY_PHASE) return healthy;
  if (phase === WAITING_FOR_USER) return suspended(`the cluster waits for a person: ${text}`);
  if (FAILED_PHASE.test(phase)) return degraded(text);
  return progressing(text);
}
