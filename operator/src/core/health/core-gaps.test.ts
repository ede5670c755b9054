// The built-in kinds the first rules missed or misjudged: PodDisruptionBudget, the autoscaling/v1
// HorizontalPodAutoscaler (conditions in an annotation), a DaemonSet whose status is stale,
// and an object without metadata. Each row: a fixture or an inline object, the expected
// status, and a pattern its message must match.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../manifest.ts';
import { V1_CONDITIONS_ANNOTATION } from './horizontal-pod-autoscaler.ts';
import { assessHealth, type HealthStatus } from './index.ts';

function fixture(file: string): KubeObject {
  return parse(readFileSync(join(import.meta.dirname, 'testdata', file), 'utf8')) as KubeObject;
}

/** An HPA read through autoscaling/v1, with `annotation` as its conditions annotation. */
function hpaV1(annotation: string | undefined, status: Record<string, unknown> = { currentReplicas: 2 }): KubeObject {
  const annotations = annotation === undefined ? {} : { annotations: { [V1_CONDITIONS_ANNOTATION]: annotation } };
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'shop', ...annotations },
    spec: { minReplicas: 1, maxReplicas: 3 },
    status,
  };
}

/** An object whose metadata is `metadata`, whatever the type says. */
function withMetadata(kind: string, metadata: unknown): KubeObject {
  return { apiVersion: 'v1', kind, ...(metadata === undefined ? {} : { metadata }) } as unknown as KubeObject;
}

interface Case {
  name: string;
  obj: KubeObject;
  status: HealthStatus;
  message?: RegExp;
}

const cases: Case[] = [
  // PodDisruptionBudget.
  {
    name: 'a PDB with enough healthy pods is Healthy',
    obj: fixture('poddisruptionbudget-healthy.yaml'),
    status: 'Healthy',
  },
  {
    name: 'a PDB that allows no disruption only because of its size (InsufficientPods) is Healthy',
    obj: fixture('poddisruptionbudget-healthy-insufficient-pods.yaml'),
    status: 'Healthy',
  },
  {
    name: 'a PDB with fewer healthy pods than required is Progressing, with the numbers',
    obj: fixture('poddisruptionbudget-progressing.yaml'),
    status: 'Progressing',
    message: /^1 of 2 required pods are healthy \(3 selected\)$/,
  },
  {
    name: 'a PDB that selects no pod yet is Healthy: its workload may come in a later wave',
    obj: fixture('poddisruptionbudget-healthy-no-pods.yaml'),
    status: 'Healthy',
  },
  {
    name: 'a PDB whose spec update is not observed is Progressing',
    obj: fixture('poddisruptionbudget-progressing-unobserved.yaml'),
    status: 'Progressing',
    message: /generation 2, observed 1/,
  },
  {
    name: 'a PDB without a status yet is Progressing, not Healthy on zero counts',
    obj: fixture('poddisruptionbudget-progressing-unreported.yaml'),
    status: 'Progressing',
    message: /disruption controller/,
  },
  {
    name: 'a PDB the controller could not compute (SyncFailed) is Degraded',
    obj: fixture('poddisruptionbudget-degraded.yaml'),
    status: 'Degraded',
    message: /^SyncFailed: found no controllers/,
  },
  {
    name: 'a policy/v1beta1 PDB gets the same rule',
    obj: { ...fixture('poddisruptionbudget-progressing.yaml'), apiVersion: 'policy/v1beta1' },
    status: 'Progressing',
    message: /1 of 2/,
  },
  // HorizontalPodAutoscaler read through autoscaling/v1.
  {
    name: 'a v1 HPA with good conditions in the annotation is Healthy',
    obj: fixture('horizontalpodautoscaler-healthy-v1-annotation.yaml'),
    status: 'Healthy',
  },
  {
    name: 'a v1 HPA whose annotation says it cannot read metrics is Degraded',
    obj: fixture('horizontalpodautoscaler-degraded-v1-annotation.yaml'),
    status: 'Degraded',
    message: /^FailedGetResourceMetric: unable to get metrics for resource cpu$/,
  },
  {
    name: 'a v1 HPA without the annotation is Progressing',
    obj: hpaV1(undefined),
    status: 'Progressing',
    message: /report its conditions/,
  },
  { name: 'a v1 HPA with an empty list in the annotation is Progressing', obj: hpaV1('[]'), status: 'Progressing' },
  {
    name: 'a v1 HPA with an invalid selector is Degraded',
    obj: hpaV1('[{"type":"ScalingActive","status":"False","reason":"InvalidSelector","message":"bad selector"}]'),
    status: 'Degraded',
    message: /InvalidSelector: bad selector/,
  },
  {
    name: 'a v1 HPA scaled to zero (ScalingDisabled) is not Degraded',
    obj: hpaV1(
      '[{"type":"AbleToScale","status":"True"},{"type":"ScalingActive","status":"False",' +
        '"reason":"ScalingDisabled"}]',
    ),
    status: 'Healthy',
  },
  {
    name: 'an annotation that is not JSON is Unknown, with a clear message',
    obj: hpaV1('[{"type":'),
    status: 'Unknown',
    message: /autoscaling\.alpha\.kubernetes\.io\/conditions annotation is not valid JSON/,
  },
  {
    name: 'an annotation that is JSON but not a list is Unknown',
    obj: hpaV1('{"type":"AbleToScale"}'),
    status: 'Unknown',
    message: /is not a list/,
  },
  {
    name: 'status.conditions, when present, wins over the annotation',
    obj: hpaV1('[{"type":"ScalingActive","status":"False","reason":"FailedGetResourceMetric"}]', {
      conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' }],
    }),
    status: 'Healthy',
  },
  // DaemonSet.
  {
    name: 'a DaemonSet whose status is of an older generation is Progressing, even with every pod updated',
    obj: fixture('daemonset-progressing-unobserved.yaml'),
    status: 'Progressing',
    message: /generation 3, observed 2/,
  },
  {
    name: 'a DaemonSet the controller has not reported on yet is Progressing, not Healthy on zero counts',
    obj: fixture('daemonset-progressing-unreported.yaml'),
    status: 'Progressing',
    message: /report its status/,
  },
  {
    name: 'a DaemonSet at its observed generation is judged by its pods',
    obj: fixture('daemonset-healthy.yaml'),
    status: 'Healthy',
  },
  // No metadata.
  {
    name: 'an object without metadata is Unknown, not a crash',
    obj: withMetadata('ConfigMap', undefined),
    status: 'Unknown',
    message: /no metadata/,
  },
  {
    name: 'an object whose metadata is a string is Unknown',
    obj: withMetadata('Pod', 'web'),
    status: 'Unknown',
    message: /no metadata/,
  },
  { name: 'an object whose metadata is null is Unknown', obj: withMetadata('Service', null), status: 'Unknown' },
  { name: 'an object whose metadata is a list is Unknown', obj: withMetadata('Widget', []), status: 'Unknown' },
];

describe('assessHealth on the core gaps', () => {
  for (const c of cases) {
    it(c.name, () => {
      const health = assessHealth(c.obj);
      assert.equal(health.status, c.status, `message: ${health.message}`);
      if (c.status !== 'Healthy') assert.ok(health.message, 'anything but Healthy says why');
      if (c.message) assert.match(health.message ?? '', c.message);
    });
  }
});
