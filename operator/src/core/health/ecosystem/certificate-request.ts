// cert-manager CertificateRequest: one signing request, created by a Certificate or by hand.
// Per the cert-manager docs ("CertificateRequest", https://cert-manager.io/docs/usage/certificaterequest/):
// it must be Approved before an issuer signs it; Denied=True or InvalidRequest=True are final;
// Ready=True (reason Issued) once signed, Ready=False reason Pending while waiting on the issuer,
// reason Failed or Denied when it never will be.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from '../health-status.ts';
import { because, condition, waitingFor } from './fields.ts';

export function assessCertificateRequest(obj: KubeObject): HealthAssessment {
  const invalid = condition(obj, 'InvalidRequest');
  if (invalid?.status === 'True') return degraded(because('the certificate request is invalid', invalid));
  const denied = condition(obj, 'Denied');
  if (denied?.status === 'True') return degraded(because('the certificate request was denied', denied));
  const ready = condition(obj, 'Ready');
  if (ready?.status === 'True') return healthy;
  if (ready?.status === 'False' && (ready.reason === 'Failed' || ready.reason === 'Denied')) {
    return degraded(because('the issuer failed to sign the certificate request', ready));
  }
  const approved = condition(obj, 'Approved');
  if (!ready && !approved) return waitingFor('cert-manager');
  if (approved?.status !== 'True') {
    return progressing(because('waiting for the certificate request to be approved', approved));
  }
  return progressing(because('waiting for the issuer to sign the certificate request', ready));
}
