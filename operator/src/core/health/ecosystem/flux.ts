// Flux objects: HelmRelease, Kustomization, GitRepository, HelmRepository. Flux follows kstatus
// (sigs.k8s.io/cli-utils kstatus; Flux docs, the "Conditions" section of each API, e.g.
// https://fluxcd.io/flux/components/kustomize/kustomizations/#conditions): Ready sums up the last
// reconciliation, Reconciling=True while one runs, Stalled=True when it cannot go on without a
// change, and each condition carries the generation it was computed for. spec.suspend stops it.
//
// Judgement call: after a failure Flux marks Reconciling=True with reason ProgressingWithRetry
// next to Ready=False. kstatus reads that as in progress, but the attempt has failed and only a
// retry is pending, so here it is Degraded (with Ready's message); a first attempt still running
// (Reconciling=True, Ready=Unknown) is Progressing. So is Ready=False while the object waits on
// others — reason DependencyNotReady (spec.dependsOn), or ArtifactFailed with "Source artifact not
// found, retrying in 30s" before its source has fetched — as on every fresh install.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from '../health-status.ts';
import { specOf, stringAt } from '../object-fields.ts';
import {
  because,
  condition,
  isConditionBehind,
  isStatusBehind,
  richConditions,
  specUpdatePending,
  waitingFor,
  type RichCondition,
} from './fields.ts';

const CONTROLLER = 'Flux';

/** Ready=False because a dependency or the source is not there yet: Flux requeues without a failure. */
function isWaitingOnOthers(ready: RichCondition): boolean {
  if (ready.reason === 'DependencyNotReady') return true;
  return ready.reason === 'ArtifactFailed' && /artifact not found/i.test(ready.message ?? '');
}

function assessFluxObject(obj: KubeObject, what: string): HealthAssessment {
  if (specOf(obj).suspend === true) return suspended(`the ${what} is suspended: Flux does not reconcile it`);
  if (richConditions(obj).length === 0) return waitingFor(CONTROLLER);
  const ready = condition(obj, 'Ready');
  // Conditions carry the generation they judged; status.observedGeneration lags until a run ends.
  const behind = ready?.observedGeneration !== undefined ? isConditionBehind(obj, ready) : isStatusBehind(obj);
  if (behind) return specUpdatePending(CONTROLLER);
  const stalled = condition(obj, 'Stalled');
  if (stalled?.status === 'True') return degraded(because(`the ${what} is stalled`, stalled));
  if (ready?.status === 'True') return healthy;
  const reconciling = condition(obj, 'Reconciling');
  if (ready?.status === 'False' && isWaitingOnOthers(ready)) {
    return progressing(because(`the ${what} is waiting`, ready));
  }
  if (ready?.status === 'False') {
    const retrying = reconciling?.status === 'True' && reconciling.reason === 'ProgressingWithRetry';
    if (reconciling?.status === 'True' && !retrying) {
      return progressing(because(`the ${what} is being reconciled`, reconciling));
    }
    return degraded(because(`the ${what} failed${retrying ? ' (Flux retries)' : ''}`, ready));
  }
  return progressing(because(`the ${what} is being reconciled`, ready ?? reconciling));
}

export function assessHelmRelease(obj: KubeObject): HealthAssessment {
  return assessFluxObject(obj, 'HelmRelease');
}

export function assessKustomization(obj: KubeObject): HealthAssessment {
  return assessFluxObject(obj, 'Kustomization');
}

export function assessGitRepository(obj: KubeObject): HealthAssessment {
  return assessFluxObject(obj, 'GitRepository');
}

/**
 * A HelmRepository of type `oci` is a data container the source-controller does not reconcile:
 * "The existence of the object can be considered to be ready for use" (source-controller docs,
 * "Helm Repositories", Helm OCI repository). It is Healthy without conditions.
 */
export function assessHelmRepository(obj: KubeObject): HealthAssessment {
  const isOci = stringAt(specOf(obj), 'type') === 'oci';
  if (isOci && specOf(obj).suspend !== true && !condition(obj, 'Ready')) return healthy;
  return assessFluxObject(obj, 'HelmRepository');
}
