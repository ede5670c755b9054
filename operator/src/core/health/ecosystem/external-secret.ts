// External Secrets Operator ExternalSecret: Ready=True (reason SecretSynced) once the target
// Secret holds the provider's data; Ready=False (reason SecretSyncedError) when fetching or
// writing it failed (ESO docs, "ExternalSecret" API, https://external-secrets.io/latest/api/externalsecret/).
import type { KubeObject } from '../../manifest.ts';
import type { HealthAssessment } from '../health-status.ts';
import { assessReadyCondition } from './fields.ts';

export function assessExternalSecret(obj: KubeObject): HealthAssessment {
  return assessReadyCondition(obj, {
    controller: 'the External Secrets Operator',
    failure: 'the secret could not be synced',
    pending: 'the secret is not synced yet',
  });
}
