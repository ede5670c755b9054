import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest.ts';
import { formatKey, keyOf } from '../manifest.ts';
import { summarizeResources } from './resource-status.ts';

const deployment = (name: string, app: string, status: Record<string, number>): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop', labels: { 'keelson.dev/app': app } }, spec: { replicas: 1 }, status,
});
const ready = { replicas: 1, updatedReplicas: 1, availableReplicas: 1 };
const hook: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop', annotations: { 'keelson.dev/hook': 'PreSync' } } };

describe('summarizeResources', () => {
  const web = deployment('web', 'web', ready);
  const worker = deployment('worker', 'jobs', { replicas: 1, updatedReplicas: 0 });
  const live = new Map([web, worker].map((o) => [formatKey(keyOf(o)), o]));
  const comparisons = [
    { key: formatKey(keyOf(web)), status: 'Synced' as const, changes: [] },
    { key: formatKey(keyOf(worker)), status: 'OutOfSync' as const, reason: 'Drift' as const, changes: [] },
  ];
  const summary = summarizeResources({ desired: [web, worker, hook], live, comparisons });

  it('the environment is as healthy as its worst resource, and OutOfSync if any resource is', () => {
    assert.equal(summary.health.status, 'Progressing');
    assert.equal(summary.sync, 'OutOfSync');
  });
  it('each app is summarized from its own resources', () => {
    assert.deepEqual(summary.apps, [
      { name: 'jobs', sync: 'OutOfSync', health: 'Progressing', resources: 1 },
      { name: 'web', sync: 'Synced', health: 'Healthy', resources: 1 },
    ]);
  });
  it('hooks are listed with their phase but do not count towards sync or health', () => {
    const entry = summary.resources.find((r) => r.kind === 'Job')!;
    assert.equal(entry.hook, 'PreSync');
    assert.equal(entry.health, undefined);
  });
  it('a resource without a comparison is Unknown', () => {
    assert.equal(summarizeResources({ desired: [web], live, comparisons: [] }).sync, 'Unknown');
  });
});
