// Health rules for the custom resources real clusters run, beside the built-in kinds of
// ../index.ts: one small rule per project or kind, each following what the project documents
// about its own conditions and phases. Keyed `group/Kind`, like the built-in rules; Crossplane's
// managed resources and composites have arbitrary groups, so they are found by shape.
import type { KubeObject } from '../../manifest.ts';
import { groupOf } from '../../manifest.ts';
import type { HealthAssessment } from '../health-status.ts';
import { assessAnalysisRun } from './argo-analysis-run.ts';
import { assessCronWorkflow } from './argo-cron-workflow.ts';
import { assessRollout } from './argo-rollout.ts';
import { assessWorkflow } from './argo-workflow.ts';
import { assessIssuer } from './cert-manager-issuer.ts';
import { assessCertificateRequest } from './certificate-request.ts';
import { assessCertificate } from './certificate.ts';
import { assessCapiCluster, assessCapiMachine } from './cluster-api.ts';
import { assessCnpgCluster } from './cnpg-cluster.ts';
import { assessCrossplane, isCrossplaneObject } from './crossplane.ts';
import { assessSecretStore } from './external-secret-store.ts';
import { assessExternalSecret } from './external-secret.ts';
import type { Rule } from './fields.ts';
import { assessGitRepository, assessHelmRelease, assessHelmRepository, assessKustomization } from './flux.ts';
import { assessScaledObject } from './keda-scaled-object.ts';
import { assessKnativeService } from './knative-service.ts';
import { assessAlertmanager, assessPrometheus } from './prometheus-operator.ts';
import { assessSealedSecret } from './sealed-secret.ts';
import { assessKafka } from './strimzi-kafka.ts';

export { assessCrossplane, isCrossplaneObject };

/** `group/Kind` → rule. */
export const ECOSYSTEM_RULES: ReadonlyMap<string, (obj: KubeObject) => HealthAssessment> = new Map<string, Rule>([
  ['cert-manager.io/Certificate', assessCertificate],
  ['cert-manager.io/CertificateRequest', assessCertificateRequest],
  ['cert-manager.io/Issuer', assessIssuer],
  ['cert-manager.io/ClusterIssuer', assessIssuer],
  ['argoproj.io/Rollout', assessRollout],
  ['argoproj.io/AnalysisRun', assessAnalysisRun],
  ['argoproj.io/Workflow', assessWorkflow],
  ['argoproj.io/CronWorkflow', assessCronWorkflow],
  ['external-secrets.io/ExternalSecret', assessExternalSecret],
  ['external-secrets.io/SecretStore', assessSecretStore],
  ['external-secrets.io/ClusterSecretStore', assessSecretStore],
  ['helm.toolkit.fluxcd.io/HelmRelease', assessHelmRelease],
  ['kustomize.toolkit.fluxcd.io/Kustomization', assessKustomization],
  ['source.toolkit.fluxcd.io/GitRepository', assessGitRepository],
  ['source.toolkit.fluxcd.io/HelmRepository', assessHelmRepository],
  ['monitoring.coreos.com/Prometheus', assessPrometheus],
  ['monitoring.coreos.com/Alertmanager', assessAlertmanager],
  ['keda.sh/ScaledObject', assessScaledObject],
  ['serving.knative.dev/Service', assessKnativeService],
  ['postgresql.cnpg.io/Cluster', assessCnpgCluster],
  ['kafka.strimzi.io/Kafka', assessKafka],
  ['bitnami.com/SealedSecret', assessSealedSecret],
  ['cluster.x-k8s.io/Cluster', assessCapiCluster],
  ['cluster.x-k8s.io/Machine', assessCapiMachine],
]);

/** The rule for an object of one of these projects: by `group/Kind`, else Crossplane by shape; else none. */
export function ecosystemRuleFor(obj: KubeObject): ((obj: KubeObject) => HealthAssessment) | undefined {
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return undefined;
  const rule = ECOSYSTEM_RULES.get(`${groupOf(obj.apiVersion)}/${obj.kind}`);
  if (rule) return rule;
  return isCrossplaneObject(obj) ? assessCrossplane : undefined;
}
