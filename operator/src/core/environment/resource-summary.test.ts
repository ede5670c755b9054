import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceComparison } from '../diff/index.ts';
import type { KubeObject } from '../manifest.ts';
import { summarizeResources } from './resource-summary.ts';

const deployment = (name: string, ready: number, replicas = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', generation: 1 },
  spec: { replicas },
  status: {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    conditions: [{ type: 'Available', status: ready === replicas ? 'True' : 'False' }],
  },
});
const desired = (name: string, extra: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', annotations: extra },
  spec: { replicas: 2 },
});
const hook: KubeObject = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate', namespace: 'shop', annotations: { 'keelson.dev/hook': 'PreSync' } },
};
const synced = (key: string): ResourceComparison => ({ key, status: 'Synced', changes: [] });

describe('resource summary', () => {
  it('is Synced and Healthy when every resource is, and lists hooks without counting them', () => {
    const s = summarizeResources({
      apps: [{ name: 'api', objects: [desired('api'), hook] }],
      comparisons: new Map([['apps/Deployment/shop/api', synced('apps/Deployment/shop/api')]]),
      live: new Map([['apps/Deployment/shop/api', deployment('api', 2)]]),
    });
    assert.equal(s.sync, 'Synced');
    assert.deepEqual(s.health, { status: 'Healthy' });
    assert.deepEqual(s.apps, [{ name: 'api', sync: 'Synced', health: 'Healthy', resources: 1 }]);
    assert.equal(s.resources.find((r) => r.kind === 'Job')?.hook, 'PreSync');
    assert.equal(s.resources.find((r) => r.kind === 'Job')?.sync, undefined);
  });

  it('takes the worst health and names the object behind it', () => {
    const s = summarizeResources({
      apps: [
        { name: 'api', objects: [desired('api')] },
        { name: 'web', objects: [desired('web')] },
      ],
      comparisons: new Map([
        ['apps/Deployment/shop/api', synced('a')],
        ['apps/Deployment/shop/web', synced('w')],
      ]),
      live: new Map([
        ['apps/Deployment/shop/api', deployment('api', 2)],
        ['apps/Deployment/shop/web', deployment('web', 1)],
      ]),
    });
    assert.equal(s.health.status, 'Progressing');
    assert.match(s.health.message ?? '', /^Deployment shop\/web: /);
    assert.deepEqual(
      s.apps.map((a) => a.health),
      ['Healthy', 'Progressing'],
    );
  });

  it('is OutOfSync with the drifted fields named, and Missing for what is not there', () => {
    const s = summarizeResources({
      apps: [{ name: 'api', objects: [desired('api'), desired('worker')] }],
      comparisons: new Map<string, ResourceComparison>([
        [
          'apps/Deployment/shop/api',
          {
            key: 'a',
            status: 'OutOfSync',
            reason: 'Drift',
            changes: [{ path: '/spec/replicas', desired: 2, live: 5 }],
          },
        ],
        ['apps/Deployment/shop/worker', { key: 'w', status: 'OutOfSync', reason: 'Missing', changes: [] }],
      ]),
      live: new Map([['apps/Deployment/shop/api', deployment('api', 2)]]),
    });
    assert.equal(s.sync, 'OutOfSync');
    assert.equal(s.health.status, 'Missing');
    assert.equal(s.resources[0]!.message, 'differs at /spec/replicas');
    assert.equal(s.resources[1]!.message, 'not in the cluster yet');
  });

  it('is OutOfSync while an object dropped from the desired state still exists, and lists it', () => {
    const s = summarizeResources({
      apps: [{ name: 'api', objects: [desired('api')] }],
      comparisons: new Map([['apps/Deployment/shop/api', synced('a')]]),
      live: new Map([['apps/Deployment/shop/api', deployment('api', 2)]]),
      extra: [
        { ...deployment('web', 2), metadata: { name: 'web', namespace: 'shop', labels: { 'keelson.dev/app': 'web' } } },
      ],
    });
    assert.equal(s.sync, 'OutOfSync');
    assert.deepEqual(s.resources.at(-1), {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      app: 'web',
      sync: 'OutOfSync',
      message: 'no longer in the desired state: the next sync prunes it',
    });
    assert.deepEqual(
      s.apps.map((a) => `${a.name}:${a.sync}`),
      ['api:Synced', 'web:OutOfSync'],
      'the app removed from the repo keeps a row while its objects await pruning',
    );
  });

  it('reports a failed dry-run (an immutable field changed) as OutOfSync with its message', () => {
    const s = summarizeResources({
      apps: [{ name: 'api', objects: [desired('api')] }],
      comparisons: new Map(),
      live: new Map(),
      errors: new Map([['apps/Deployment/shop/api', 'spec.selector: Invalid value: field is immutable']]),
    });
    assert.equal(s.sync, 'OutOfSync');
    assert.equal(s.apps[0]!.sync, 'OutOfSync');
    assert.equal(s.resources[0]!.message, 'spec.selector: Invalid value: field is immutable');
  });
});
