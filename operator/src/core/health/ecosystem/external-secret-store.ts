// External Secrets Operator SecretStore and ClusterSecretStore: Ready=True (reason Valid, or
// ValidationUnknown for providers that cannot be checked) once the provider configuration works;
// Ready=False with reason InvalidProviderConfig or ValidationFailed otherwise (ESO docs,
// "SecretStore" API, https://external-secrets.io/latest/api/secretstore/).
import type { KubeObject } from '../../manifest.ts';
import type { HealthAssessment } from '../health-status.ts';
import { assessReadyCondition } from './fields.ts';

export function assessSecretStore(obj: KubeObject): HealthAssessment {
  const store = obj.kind === 'ClusterSecretStore' ? 'the cluster secret store' : 'the secret store';
  return assessReadyCondition(obj, {
    controller: 'the External Secrets Operator',
    failure: `${store} cannot reach its provider`,
    pending: `${store} is being validated`,
  });
}
