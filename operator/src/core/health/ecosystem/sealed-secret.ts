// Bitnami Sealed Secrets SealedSecret: the controller unseals it into a Secret and reports
// Synced=True, or Synced=False with the error (often "no key could decrypt secret") —
// sealed-secrets README, "Status" (https://github.com/bitnami-labs/sealed-secrets).
import type { KubeObject } from '../../manifest.ts';
import type { HealthAssessment } from '../health-status.ts';
import { assessReadyCondition } from './fields.ts';

export function assessSealedSecret(obj: KubeObject): HealthAssessment {
  return assessReadyCondition(obj, {
    controller: 'the sealed-secrets controller',
    failure: 'the secret could not be unsealed',
    pending: 'the secret is being unsealed',
    type: 'Synced',
  });
}
