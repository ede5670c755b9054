// The rule for every kind without a rule of its own, after kstatus (sigs.k8s.io/cli-utils):
// an object that reports status in the standard way says through status.observedGeneration
// whether its controller has seen the latest spec, and through the Stalled, Reconciling and
// Ready conditions (or Available, for the kinds that use it) how far it got. Checked in order:
//   1. status.observedGeneration behind metadata.generation  → Progressing (the status is stale)
//   2. Stalled=True                                           → Degraded (the controller gave up)
//   3. Reconciling=True                                       → Progressing (still working)
//   4. Ready (else Available): True → Healthy; Unknown → Progressing; False → Degraded when its
//      reason names a failure (FAILURE_REASON_WORDS), Progressing otherwise (not ready *yet*)
//   5. none of these conditions                               → Healthy (nothing to wait for)
// A deciding condition that carries its own observedGeneration older than the object's is
// stale too and counts as Progressing, whatever it says.
import type { KubeObject } from '../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from './health-status.ts';
import {
  conditionText,
  findCondition,
  generationOf,
  isConditionStale,
  isGenerationPending,
  observedGenerationOf,
  type Condition,
} from './object-fields.ts';

/**
 * Words that, found in the reason of a `Ready=False` (or `Available=False`) condition, mean
 * the object failed rather than is still on its way: `Failed` (ReconciliationFailed,
 * InstallFailed, BuildFailed), `Failure`, `Error` (ReconcileError), `Invalid` (InvalidSpec),
 * `Exceeded` (ProgressDeadlineExceeded, QuotaExceeded), `BackOff` (CrashLoopBackOff,
 * ImagePullBackOff), `Denied` (AccessDenied) and `Forbidden`. Matched case-insensitively,
 * anywhere in the reason. Reasons of an object on its way (Progressing, Pending, Creating,
 * DependencyNotReady, DoesNotExist, …) match none of them. A deliberately short list: a wrong
 * Progressing only delays a wave until its timeout, a wrong Degraded fails the sync at once.
 */
export const FAILURE_REASON_WORDS: readonly string[] = [
  'Failed',
  'Failure',
  'Error',
  'Invalid',
  'Exceeded',
  'BackOff',
  'Denied',
  'Forbidden',
];

const FAILURE_REASON = new RegExp(FAILURE_REASON_WORDS.join('|'), 'i');

/** True when a condition's reason names a failure (see FAILURE_REASON_WORDS). */
export function isFailureReason(reason: string | undefined): boolean {
  return reason !== undefined && FAILURE_REASON.test(reason);
}

function staleCondition(obj: KubeObject, c: Condition): HealthAssessment {
  return progressing(
    `waiting for the ${c.type} condition (of generation ${c.observedGeneration}) to catch up ` +
      `with generation ${generationOf(obj)}`,
  );
}

export function assessByConditions(obj: KubeObject): HealthAssessment {
  if (isGenerationPending(obj)) {
    return progressing(
      `waiting for the spec update to be observed: generation ${generationOf(obj)}, ` +
        `observed ${observedGenerationOf(obj)}`,
    );
  }
  const stalled = findCondition(obj, 'Stalled');
  if (stalled?.status === 'True') {
    return isConditionStale(obj, stalled) ? staleCondition(obj, stalled) : degraded(conditionText(stalled));
  }
  const reconciling = findCondition(obj, 'Reconciling');
  if (reconciling?.status === 'True') return progressing(conditionText(reconciling));
  const ready = findCondition(obj, 'Ready') ?? findCondition(obj, 'Available');
  if (!ready) return healthy;
  if (isConditionStale(obj, ready)) return staleCondition(obj, ready);
  if (ready.status === 'True') return healthy;
  if (ready.status === 'False' && isFailureReason(ready.reason)) return degraded(conditionText(ready));
  return progressing(conditionText(ready));
}
