// Crossplane managed resources, composite resources (XRs) and claims. They have arbitrary groups
// (s3.aws.upbound.io, the platform team's own), so they are recognised by shape: Crossplane's spec
// vocabulary, plus the Synced condition for the fields other projects use too. Semantics per the
// Crossplane docs ("Managed Resources" and "Composite Resources", Conditions): Synced=True when the
// last reconciliation succeeded, False (ReconcileError) when it failed, False with reason
// ReconcilePaused under the crossplane.io/paused annotation; Ready=True (Available) once the
// external resource is usable, False while Creating, Deleting or Unavailable. Upjet providers add
// LastAsyncOperation, False when an asynchronous apply failed.
//
// Judgement call: Ready=False with Synced=True is Progressing whatever the reason — Crossplane is
// still converging and will say so through Synced (or LastAsyncOperation) if it fails.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, suspended, type HealthAssessment } from '../health-status.ts';
import { specOf } from '../object-fields.ts';
import { annotationOf, because, condition, isTrueValue, richConditions, waitingFor } from './fields.ts';

/** Spec fields no other project uses: enough alone. v2 XRs keep theirs under spec.crossplane. */
const OWN_FIELDS = [
  'forProvider',
  'crossplane',
  'compositionRef',
  'compositionSelector',
  'compositionRevisionRef',
  'compositionUpdatePolicy',
];
/** Spec fields Crossplane shares with others: enough with a Synced condition. */
const SHARED_FIELDS = ['providerConfigRef', 'resourceRef', 'resourceRefs'];

export function isCrossplaneObject(obj: KubeObject): boolean {
  const spec = specOf(obj);
  if (OWN_FIELDS.some((f) => spec[f] !== undefined && spec[f] !== null)) return true;
  return SHARED_FIELDS.some((f) => spec[f] !== undefined && spec[f] !== null) && condition(obj, 'Synced') !== undefined;
}

export function assessCrossplane(obj: KubeObject): HealthAssessment {
  const synced = condition(obj, 'Synced');
  if (isTrueValue(annotationOf(obj, 'crossplane.io/paused')) || synced?.reason === 'ReconcilePaused') {
    return suspended('Crossplane does not reconcile it: the crossplane.io/paused annotation is set');
  }
  if (richConditions(obj).length === 0) return waitingFor('Crossplane');
  if (synced?.status === 'False') return degraded(because('Crossplane could not reconcile it', synced));
  const async = condition(obj, 'LastAsyncOperation');
  if (async?.status === 'False') return degraded(because('the provider failed to apply it', async));
  const ready = condition(obj, 'Ready');
  if (ready?.status === 'True') return healthy;
  if (!ready) return progressing(`waiting for the ${obj.kind} to become ready`);
  const doing =
    ready.reason === 'Creating' ? 'being created' : ready.reason === 'Deleting' ? 'being deleted' : 'not ready yet';
  const text = `the ${obj.kind} is ${doing}`;
  return progressing(ready.message ? because(text, ready) : text);
}
