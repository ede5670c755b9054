// Every ecosystem rule against trimmed object dumps under testdata/ecosystem/<project>/, named
// <kind>-<state>[-variant].yaml: the state in the file name is the expected status, and MESSAGES
// says what the message of each non-Healthy one must match. Then the promises every rule keeps:
// a fresh object without status, odd shapes that must not throw, and the Crossplane predicate.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { groupOf, type KubeObject } from '../../manifest.ts';
import { HEALTH_STATUSES, type HealthStatus } from '../health-status.ts';
import { assessCrossplane, ECOSYSTEM_RULES, ecosystemRuleFor, isCrossplaneObject } from './index.ts';

const root = join(import.meta.dirname, '..', 'testdata', 'ecosystem');
const fixtures = readdirSync(root, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.split('\\').join('/'))
  .sort();

/** What the message of every non-Healthy fixture says, by project and file (without .yaml): what, and why. */
const MESSAGES: Readonly<Record<string, Readonly<Record<string, RegExp>>>> = {
  'argo-rollouts': {
    'analysisrun-degraded': /^the analysis failed \(metric success-rate\): Metric "success-rate" assessed Failed/,
    'analysisrun-progressing-fresh': /^waiting for the Argo Rollouts controller/,
    'analysisrun-progressing': /^the analysis is running$/,
    'analysisrun-unknown-inconclusive': /^the analysis was inconclusive \(metric success-rate\): .*inconclusiveLimit/,
    'rollout-degraded-aborted': /^the rollout was aborted: Rollout aborted update to revision 8: Metric "success-rate"/,
    'rollout-degraded-deadline': /^the rollout exceeded its progress deadline: ReplicaSet .* has timed out progressing/,
    'rollout-degraded-invalid-spec': /^the Rollout spec is invalid: .*Canary service is required/,
    'rollout-progressing-canary-step': /^the canary is rolling out at step 1 of 4$/,
    'rollout-progressing-fresh': /^waiting for the Argo Rollouts controller to report its status$/,
    'rollout-progressing-spec-update': /observe the spec update/,
    'rollout-progressing-timed-pause': /^the canary pauses for 10m at step 4 of 4$/,
    'rollout-suspended-bluegreen-preview': /preview .* waits to be promoted/,
    'rollout-suspended-canary-pause': /^the canary is paused at step 2 of 4 until it is promoted$/,
    'rollout-suspended-paused': /spec\.paused/,
  },
  'argo-workflows': {
    'cronworkflow-degraded': /^the CronWorkflow could not submit a workflow: Failed to submit Workflow: .*forbidden/,
    'cronworkflow-suspended-stopped': /stop strategy/,
    'cronworkflow-suspended': /^the CronWorkflow is suspended$/,
    'workflow-degraded-error': /^the Workflow errored: pods .* exceeded quota/,
    'workflow-degraded': /^the Workflow failed: Error \(exit code 1\): migration 0042/,
    'workflow-progressing-fresh': /^waiting for the Argo Workflows controller/,
    'workflow-progressing-timed-suspend': /waits at step bake for its timer/,
    'workflow-progressing': /^the Workflow is running$/,
    'workflow-suspended-approval': /waits at step approve to be resumed/,
    'workflow-suspended': /^the Workflow is suspended$/,
  },
  'cert-manager': {
    'certificate-degraded-failed': /^issuing the certificate failed after 3 attempts .*: The certificate request/,
    'certificate-degraded-renewal-failed': /^renewing the still valid certificate failed: .*rateLimited/,
    'certificate-progressing-does-not-exist': /not ready yet; cert-manager issues one: Issuing certificate as Secret/,
    'certificate-progressing-fresh': /^waiting for cert-manager to report its status$/,
    'certificate-progressing-issuing': /^the certificate is being issued: Issuing certificate as Secret does not/,
    'certificate-progressing-renewing': /^the certificate is being issued: Renewing certificate/,
    'certificate-progressing-spec-update': /^waiting for cert-manager to observe the spec update$/,
    'certificaterequest-degraded-denied': /^the certificate request was denied: No policy approved this request/,
    'certificaterequest-degraded-failed': /^the issuer failed to sign the certificate request: Failed to wait/,
    'certificaterequest-progressing-fresh': /^waiting for cert-manager/,
    'certificaterequest-progressing-pending': /^waiting for the issuer to sign .*: Waiting on certificate issuance/,
    'certificaterequest-progressing-unapproved': /^waiting for the certificate request to be approved$/,
    'clusterissuer-degraded': /^the cluster issuer cannot issue certificates: Failed to register ACME account/,
    'issuer-degraded': /^the issuer cannot issue certificates: Error getting keypair for CA issuer/,
    'issuer-progressing-fresh': /^waiting for cert-manager/,
  },
  'cloudnative-pg': {
    'cluster-degraded-image-catalog': /^Cluster has incomplete or invalid image catalog: Unknown major version 18/,
    'cluster-degraded-unrecoverable': /^Cluster is unrecoverable .*: Missing PVCs/,
    'cluster-progressing-fresh': /^waiting for the CloudNativePG operator/,
    'cluster-progressing-setting-up': /^Setting up primary: Creating primary instance orders-db-1$/,
    'cluster-progressing-switchover': /^Switchover in progress: Switching over to orders-db-2$/,
    'cluster-suspended-hibernated': /^the cluster is hibernated: Cluster has been hibernated$/,
    'cluster-suspended-supervised': /waits for a person: Waiting for user action: User must issue a supervised/,
  },
  'cluster-api': {
    'cluster-degraded-failed': /^the Cluster failed: InvalidConfiguration: failed to create VPC/,
    'cluster-degraded-unavailable': /^the Cluster is not available: .*etcd members/,
    'cluster-progressing-provisioning': /^the Cluster is provisioning: 0 of 2 completed$/,
    'cluster-progressing-rolling-out': /not available while RollingOut: .*MachineDeployments/,
    'cluster-suspended': /^the Cluster is paused/,
    'machine-degraded-failed': /^the Machine failed: CreateError: .*InsufficientInstanceCapacity/,
    'machine-degraded-node-unhealthy': /^the Machine is running but not ready: .*kubelet stopped posting node status/,
    'machine-progressing-fresh': /^waiting for Cluster API to provision the Machine$/,
    'machine-progressing-provisioned': /waits for its node to join: WaitingForNodeRef$/,
    'machine-suspended': /^the Machine is paused/,
  },
  crossplane: {
    'bucket-degraded-async': /^the provider failed to apply it: apply failed: .*BucketAlreadyExists/,
    'bucket-degraded-sync': /^Crossplane could not reconcile it: connect failed: .*"prod-account" not found/,
    'bucket-progressing-creating': /^the Bucket is being created$/,
    'bucket-progressing-fresh': /^waiting for Crossplane/,
    'bucket-suspended': /crossplane\.io\/paused/,
    'postgresqlinstance-degraded': /^Crossplane could not reconcile it: cannot compose .*Unsupported value: "17"/,
    'xpostgresqlinstance-progressing': /^the XPostgreSQLInstance is being created: Unready resources: shop-db-7xk2q/,
  },
  'external-secrets': {
    'clustersecretstore-degraded': /^the cluster secret store cannot reach its provider: unable to log in/,
    'clustersecretstore-progressing-fresh': /^waiting for the External Secrets Operator/,
    'externalsecret-degraded': /^the secret could not be synced: could not get secret data from provider/,
    'externalsecret-progressing-fresh': /^waiting for the External Secrets Operator/,
    'secretstore-degraded': /^the secret store cannot reach its provider: unable to validate store: AccessDenied/,
  },
  flux: {
    'gitrepository-degraded-auth': /^the GitRepository failed \(Flux retries\): failed to checkout .*authenticate/,
    'gitrepository-progressing-fresh': /^waiting for Flux to report its status$/,
    'helmrelease-degraded-retrying': /^the HelmRelease failed \(Flux retries\): Helm upgrade failed .*deadline/,
    'helmrelease-degraded-stalled': /^the HelmRelease is stalled: Failed to upgrade after 4 attempt\(s\)$/,
    'helmrelease-progressing-dependency': /^the HelmRelease is waiting: dependency 'cnpg-system\/postgres-operator'/,
    'helmrelease-progressing-installing': /^the HelmRelease is being reconciled: Running 'install' action/,
    'helmrelease-suspended': /^the HelmRelease is suspended/,
    'helmrepository-degraded': /^the HelmRepository failed \(Flux retries\): failed to get authentication secret/,
    'kustomization-degraded-build-failed': /^the Kustomization failed \(Flux retries\): kustomize build failed/,
    'kustomization-progressing-health-check': /^the Kustomization is being reconciled: Running health checks/,
    'kustomization-progressing-dependency': /^the Kustomization is waiting: dependency 'flux-system\/infra-controllers/,
    'kustomization-progressing-source-not-fetched': /^the Kustomization is waiting: Source artifact not found/,
    'kustomization-progressing-spec-update': /^waiting for Flux to observe the spec update$/,
    'kustomization-suspended': /^the Kustomization is suspended/,
  },
  keda: {
    'scaledobject-degraded-fallback': /^the scalers are failing .*fallback replicas: At least one trigger/,
    'scaledobject-degraded': /^the ScaledObject is not ready: .*"orders-workr" not found/,
    'scaledobject-progressing-fresh': /^waiting for KEDA/,
    'scaledobject-suspended-annotation': /^autoscaling is paused by annotation$/,
    'scaledobject-suspended': /^autoscaling is paused: ScaledObject is paused$/,
  },
  knative: {
    'service-degraded': /^the Service is not serving: Revision "thumbnailer-00005" failed with message/,
    'service-progressing-fresh': /^waiting for Knative Serving/,
    'service-progressing': /^the Service is not ready yet: Configuration "thumbnailer" is waiting for a Revision/,
  },
  'prometheus-operator': {
    'alertmanager-degraded': /^the operator could not reconcile the Alertmanager: provision alertmanager configuration/,
    'alertmanager-progressing-fresh': /^waiting for the Prometheus operator/,
    'prometheus-degraded': /^the operator could not reconcile the Prometheus: .*"mimir-auth" not found/,
    'prometheus-progressing-no-pod-ready': /^the Prometheus pods are not all ready: shard 0: .*0\/2 nodes/,
    'prometheus-progressing-some-pods': /^the Prometheus pods are not all ready: shard 0: pod prometheus-k8s-1/,
    'prometheus-suspended': /^the Prometheus is paused/,
  },
  'sealed-secrets': {
    'sealedsecret-degraded': /^the secret could not be unsealed: no key could decrypt secret/,
    'sealedsecret-progressing-fresh': /^waiting for the sealed-secrets controller/,
  },
  strimzi: {
    'kafka-degraded': /^the Kafka cluster is not ready: Exceeded timeout of 300000ms/,
    'kafka-progressing-creating': /^the Kafka cluster is being deployed: Kafka cluster is being deployed$/,
    'kafka-progressing-fresh': /^waiting for the Strimzi Cluster Operator/,
    'kafka-suspended': /strimzi\.io\/pause-reconciliation/,
  },
};

function expectedStatus(file: string): HealthStatus {
  const state = (file.split('/').pop() ?? file).replace(/\.yaml$/, '').split('-')[1];
  const status = HEALTH_STATUSES.find((s) => s.toLowerCase() === state);
  if (!status) throw new Error(`fixture ${file} does not name a health state after its kind`);
  return status;
}

function load(file: string): KubeObject {
  return parse(readFileSync(join(root, file), 'utf8')) as KubeObject;
}

describe('ecosystem rules on fixtures', () => {
  it('has a fixture for every rule, and a message for every fixture that is not Healthy', () => {
    const keys = new Set(fixtures.map(load).map((o) => `${groupOf(o.apiVersion)}/${o.kind}`));
    for (const key of ECOSYSTEM_RULES.keys()) assert.ok(keys.has(key), `no fixture for ${key}`);
    const unhealthy = fixtures.filter((f) => expectedStatus(f) !== 'Healthy');
    const named = Object.entries(MESSAGES).flatMap(([project, files]) =>
      Object.keys(files).map((f) => `${project}/${f}.yaml`),
    );
    assert.deepEqual(named.sort(), unhealthy, 'MESSAGES names exactly the non-Healthy fixtures');
  });
  for (const file of fixtures) {
    const expected = expectedStatus(file);
    it(`${file} is ${expected}`, () => {
      const obj = load(file);
      const kind = (file.split('/').pop() ?? '').split('-')[0];
      assert.equal(obj.kind.toLowerCase(), kind, 'the file name starts with the kind');
      const rule = ecosystemRuleFor(obj);
      assert.ok(rule, 'an ecosystem rule applies');
      const health = rule(obj);
      assert.equal(health.status, expected, `message: ${health.message}`);
      const [project = '', name = ''] = file.replace(/\.yaml$/, '').split('/');
      const message = MESSAGES[project]?.[name];
      if (message) assert.match(health.message ?? '', message);
      else assert.equal(health.message, undefined, 'Healthy needs no message');
    });
  }
});

describe('ecosystem rules outside the fixtures', () => {
  const rules = [...ECOSYSTEM_RULES.entries(), ['(crossplane)/Bucket', assessCrossplane] as const];
  /** A fresh object is Progressing, waiting for its controller, except where the project says otherwise. */
  const FRESH: Readonly<Record<string, HealthStatus>> = { 'argoproj.io/CronWorkflow': 'Healthy' };
  for (const [key, rule] of rules) {
    const [group, kind] = key.split('/') as [string, string];
    const base: KubeObject = { apiVersion: `${group}/v1`, kind, metadata: { name: 'x', generation: 1 } };
    it(`a fresh ${key} without status is ${FRESH[key] ?? 'Progressing'}`, () => {
      const health = rule({ ...base, spec: key.includes('crossplane') ? { forProvider: {} } : {} });
      assert.equal(health.status, FRESH[key] ?? 'Progressing', `message: ${health.message}`);
      if (health.status !== 'Healthy') assert.match(health.message ?? '', /waiting for|being/);
    });
    it(`${key} does not throw on odd shapes`, () => {
      const odd: unknown[] = [
        { status: 'garbage', spec: null },
        { status: [], spec: [] },
        { status: { conditions: 'x', phase: 42, observedGeneration: 'abc123' } },
        { status: { conditions: [null, 1, 'Ready', { type: 7 }, { type: 'Ready' }, { type: 'Synced', status: {} }] } },
        { status: { pauseConditions: {}, nodes: [], metricResults: 'x', deprecated: 'x', currentStepIndex: '2' } },
        { spec: { strategy: 'x', templates: {}, paused: 'yes', suspend: 'true', type: 7 }, status: { phase: 'X' } },
        { metadata: null, status: { observedGeneration: '1', conditions: [{ type: 'Ready', status: 'False' }] } },
        { metadata: { name: 'x', annotations: 'x', generation: 'two' }, status: { observedGeneration: 1 } },
        { metadata: { name: 'x', annotations: null }, status: { phase: null, conditions: [{ type: 'Ready' }] } },
      ];
      for (const shape of odd) {
        const health = rule({ ...base, ...(shape as Partial<KubeObject>) } as KubeObject);
        assert.ok(HEALTH_STATUSES.includes(health.status), `${JSON.stringify(shape)} → ${health.status}`);
        if (health.status !== 'Healthy') assert.equal(typeof health.message, 'string', JSON.stringify(shape));
      }
    });
  }
  it('reads a condition status that YAML parsed as a boolean', () => {
    const obj = parse(
      'apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: { name: x }\n' +
        'status: { conditions: [{ type: Ready, status: True }] }',
    ) as KubeObject;
    assert.equal(ecosystemRuleFor(obj)?.(obj).status, 'Healthy');
  });
  it('compares a numeric or a string status.observedGeneration of a Rollout with metadata.generation', () => {
    for (const observedGeneration of [2, '2']) {
      const obj: KubeObject = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'x', generation: 3 },
        spec: { replicas: 1 },
        status: { observedGeneration, currentPodHash: 'a', stableRS: 'a', updatedReplicas: 1, availableReplicas: 1 },
      };
      const health = ecosystemRuleFor(obj)?.(obj);
      assert.equal(health?.status, 'Progressing', `observedGeneration ${String(observedGeneration)}`);
    }
  });
});

describe('ecosystemRuleFor and isCrossplaneObject', () => {
  const object = (apiVersion: string, kind: string, spec: unknown, conditions?: unknown[]): KubeObject => ({
    apiVersion,
    kind,
    metadata: { name: 'x' },
    spec,
    ...(conditions ? { status: { conditions } } : {}),
  });
  const synced = [{ type: 'Synced', status: 'True' }];
  const cases: { name: string; obj: KubeObject; crossplane: boolean }[] = [
    {
      name: 'a managed resource by spec.forProvider',
      crossplane: true,
      obj: object('ec2.aws.upbound.io/v1beta1', 'VPC', { forProvider: {} }),
    },
    {
      name: 'a claim by spec.compositionRef',
      crossplane: true,
      obj: object('db.example.org/v1', 'PostgreSQL', { compositionRef: { name: 'a' } }),
    },
    {
      name: 'a v2 composite by spec.crossplane',
      crossplane: true,
      obj: object('db.example.org/v1', 'Database', { crossplane: {} }),
    },
    {
      name: 'a composite by resourceRefs and Synced',
      crossplane: true,
      obj: object('db.example.org/v1', 'XDb', { resourceRefs: [] }, synced),
    },
    {
      name: 'providerConfigRef without Synced',
      crossplane: false,
      obj: object('tf.example.org/v1', 'Workspace', { providerConfigRef: {} }),
    },
    { name: 'a ConfigMap', crossplane: false, obj: object('v1', 'ConfigMap', undefined) },
    {
      name: 'an object with a spec that is not a record',
      crossplane: false,
      obj: object('example.org/v1', 'Thing', 'forProvider'),
    },
  ];
  for (const c of cases) {
    it(`${c.name} is ${c.crossplane ? '' : 'not '}a Crossplane object`, () => {
      assert.equal(isCrossplaneObject(c.obj), c.crossplane);
      assert.equal(ecosystemRuleFor(c.obj) === assessCrossplane, c.crossplane);
    });
  }
  it('finds no rule for built-in kinds and survives a missing apiVersion', () => {
    assert.equal(ecosystemRuleFor(object('apps/v1', 'Deployment', { replicas: 1 })), undefined);
    assert.equal(ecosystemRuleFor({ kind: 'Thing', metadata: { name: 'x' } } as unknown as KubeObject), undefined);
  });
  it('keys every rule by group/Kind', () => {
    for (const key of ECOSYSTEM_RULES.keys()) assert.match(key, /^[a-z0-9.-]+\.[a-z]+\/[A-Z][A-Za-z]+$/);
  });
});
