// cert-manager Issuer and ClusterIssuer: Ready=True once cert-manager has checked the issuer's
// configuration (an ACME account registered, a CA key pair found, Vault reachable); Ready=False
// names what is wrong (cert-manager docs, "Issuer Configuration", https://cert-manager.io/docs/configuration/).
import type { KubeObject } from '../../manifest.ts';
import type { HealthAssessment } from '../health-status.ts';
import { assessReadyCondition } from './fields.ts';

export function assessIssuer(obj: KubeObject): HealthAssessment {
  const scope = obj.kind === 'ClusterIssuer' ? 'the cluster issuer' : 'the issuer';
  return assessReadyCondition(obj, {
    controller: 'cert-manager',
    failure: `${scope} cannot issue certificates`,
    pending: `${scope} is being checked`,
  });
}
