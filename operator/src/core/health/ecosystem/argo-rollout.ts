// Argo Rollouts Rollout. Semantics from the Argo Rollouts docs (https://argo-rollouts.readthedocs.io/,
// "Specification", "Canary" and "BlueGreen") and the status the controller writes: status.phase
// (Healthy/Progressing/Paused/Degraded, v1.0+), status.abort, status.pauseConditions, the
// InvalidSpec and Progressing conditions, currentPodHash against stableRS / the active selector.
// status.observedGeneration is a string: the generation as digits since v0.10, a spec hash before;
// a hash cannot be compared, so it is not taken as behind.
//
// Judgement calls: a pause that waits for a person (an indefinite `pause: {}` step, spec.paused,
// a blue-green preview without auto-promotion, an inconclusive analysis) is Suspended; a timed
// pause step ends by itself, so it is Progressing, as is a canary between steps. Aborted is Degraded.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from '../health-status.ts';
import { arrayAt, numberAt, recordAt, specOf, statusOf, stringAt } from '../object-fields.ts';
import { because, condition, isStatusBehind, specUpdatePending, waitingFor, type Fields } from './fields.ts';

const CONTROLLER = 'the Argo Rollouts controller';

function canarySteps(spec: Fields): Fields[] {
  return arrayAt(recordAt(recordAt(spec, 'strategy'), 'canary'), 'steps');
}

function stepText(spec: Fields, status: Fields): string {
  const steps = canarySteps(spec);
  const index = numberAt(status, 'currentStepIndex', -1);
  return index >= 0 && index < steps.length ? ` at step ${index + 1} of ${steps.length}` : '';
}

function durationText(value: unknown): string | undefined {
  if (typeof value === 'number') return `${value}s`;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Suspended for a pause that waits for a person, Progressing for one that ends on a timer. */
function assessPause(spec: Fields, status: Fields): HealthAssessment | undefined {
  if (spec.paused === true) return suspended('the Rollout is paused (spec.paused is true)');
  const reasons = arrayAt(status, 'pauseConditions').map((c) => stringAt(c, 'reason') ?? 'Paused');
  if (reasons.length === 0) {
    if (stringAt(status, 'phase') !== 'Paused') return undefined;
    return suspended(stringAt(status, 'message') ?? 'the Rollout is paused');
  }
  if (reasons.includes('InconclusiveAnalysis')) {
    return suspended('an analysis was inconclusive: the Rollout waits to be promoted or aborted');
  }
  if (reasons.every((r) => r === 'CanaryPauseStep')) {
    const step = canarySteps(spec)[numberAt(status, 'currentStepIndex', -1)];
    const duration = step ? durationText(recordAt(step, 'pause').duration) : undefined;
    if (duration) return progressing(`the canary pauses for ${duration}${stepText(spec, status)}`);
    return suspended(`the canary is paused${stepText(spec, status)} until it is promoted`);
  }
  if (reasons.every((r) => r === 'BlueGreenPause')) {
    const seconds = numberAt(recordAt(recordAt(spec, 'strategy'), 'blueGreen'), 'autoPromotionSeconds');
    if (seconds > 0) return progressing(`the preview is promoted automatically after ${seconds}s`);
    return suspended('the preview is serving the new version and waits to be promoted');
  }
  return suspended(`the Rollout is paused (${reasons.join(', ')})`);
}

export function assessRollout(obj: KubeObject): HealthAssessment {
  const spec = specOf(obj);
  const status = statusOf(obj);
  if (status.observedGeneration === undefined) return waitingFor(CONTROLLER);
  if (isStatusBehind(obj)) return specUpdatePending(CONTROLLER);
  const invalid = condition(obj, 'InvalidSpec');
  if (invalid && invalid.status !== 'False') return degraded(because('the Rollout spec is invalid', invalid));
  const progress = condition(obj, 'Progressing');
  if (status.abort === true || progress?.reason === 'RolloutAborted') {
    const fromCondition = progress?.reason === 'RolloutAborted' ? progress.message : undefined;
    const why = fromCondition ?? stringAt(status, 'message');
    return degraded(why ? `the rollout was aborted: ${why}` : 'the rollout was aborted');
  }
  if (progress?.reason === 'ProgressDeadlineExceeded') {
    return degraded(because('the rollout exceeded its progress deadline', progress));
  }
  if (stringAt(status, 'phase') === 'Degraded') {
    return degraded(stringAt(status, 'message') ?? 'the Argo Rollouts controller reports the Rollout as Degraded');
  }
  const paused = assessPause(spec, status);
  if (paused) return paused;

  const podHash = stringAt(status, 'currentPodHash');
  if (!podHash) return progressing(`waiting for ${CONTROLLER} to reconcile the Rollout`);
  const strategy = recordAt(spec, 'strategy');
  const stable = stringAt(status, 'stableRS') ?? stringAt(recordAt(status, 'canary'), 'stableRS');
  const isBlueGreen = strategy.blueGreen !== undefined;
  if (!isBlueGreen && stable !== podHash && stepText(spec, status)) {
    return progressing(`the canary is rolling out${stepText(spec, status)}`);
  }
  const wanted = numberAt(spec, 'replicas', 1);
  const updated = numberAt(status, 'updatedReplicas');
  const available = numberAt(status, 'availableReplicas');
  if (updated < wanted) return progressing(`${updated} of ${wanted} replicas are updated`);
  if (available < updated) return progressing(`${available} of ${updated} updated replicas are available`);
  if (isBlueGreen) {
    if (stringAt(recordAt(status, 'blueGreen'), 'activeSelector') !== podHash) {
      return progressing('the active Service is not yet switched to the new version');
    }
    if (stable && stable !== podHash) return progressing('waiting for the post-promotion analysis to finish');
    return healthy;
  }
  const total = numberAt(status, 'replicas');
  if (total > updated) return progressing(`${total - updated} old replicas are pending termination`);
  if (stable !== podHash) return progressing('the canary is rolling out: the new version is not yet stable');
  return healthy;
}
