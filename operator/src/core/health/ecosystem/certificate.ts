// cert-manager Certificate. Its two conditions (cert-manager docs, "Certificate resource"
// https://cert-manager.io/docs/usage/certificate/ and the Certificate API reference): Ready says
// whether the Secret holds a valid certificate for the current spec; Issuing is True while a
// CertificateRequest is out, and False with reason Failed after an issuance failed (with
// status.lastFailureTime and failedIssuanceAttempts; cert-manager retries with a back-off).
// cert-manager removes Issuing once an issuance succeeds.
//
// So: being issued — Issuing=True, or Ready=False with a reason like DoesNotExist or Expired that
// makes cert-manager issue one — is Progressing; a failed issuance is Degraded, even while an older
// certificate is still valid (a failed renewal needs a person before the old one expires).
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from '../health-status.ts';
import { numberAt, statusOf } from '../object-fields.ts';
import { because, condition, isConditionBehind, specUpdatePending, waitingFor } from './fields.ts';

const CONTROLLER = 'cert-manager';

/** Ready=False reasons that name a failure rather than a reason to (re)issue. */
const FAILURE_REASON = /fail|error|denied|invalidrequest/i;

export function assessCertificate(obj: KubeObject): HealthAssessment {
  const ready = condition(obj, 'Ready');
  const issuing = condition(obj, 'Issuing');
  if (!ready && !issuing) return waitingFor(CONTROLLER);
  if (issuing?.status === 'True') return progressing(because('the certificate is being issued', issuing));
  if (issuing?.status === 'False' && issuing.reason === 'Failed' && !isConditionBehind(obj, issuing)) {
    const attempts = numberAt(statusOf(obj), 'failedIssuanceAttempts');
    const tries = attempts > 1 ? ` after ${attempts} attempts (cert-manager retries after a back-off)` : '';
    const what =
      ready?.status === 'True' ? 'renewing the still valid certificate failed' : 'issuing the certificate failed';
    return degraded(because(`${what}${tries}`, issuing));
  }
  if (isConditionBehind(obj, ready)) return specUpdatePending(CONTROLLER);
  if (!ready) return progressing(because('waiting for cert-manager to check the certificate', issuing));
  if (ready.status === 'True') return healthy;
  if (ready.status === 'False' && ready.reason && FAILURE_REASON.test(ready.reason)) {
    return degraded(because('the certificate is not ready', ready));
  }
  return progressing(because('the certificate is not ready yet; cert-manager issues one', ready));
}
