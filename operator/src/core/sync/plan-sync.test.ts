import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest.ts';
import { planSync, SyncPlanError } from './plan-sync.ts';
import { taskToString } from './sync-task.ts';

function obj(
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  annotations?: Record<string, string>,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), ...(annotations ? { annotations } : {}) },
    ...extra,
  };
}

const order = (objects: KubeObject[], prune: KubeObject[] = []) =>
  planSync({ desired: objects, prune }).tasks.map(taskToString);

describe('planSync ordering', () => {
  it('sorts by phase, then wave, then kind order, then name', () => {
    assert.deepEqual(
      order([
        obj('apps/v1', 'Deployment', 'web', 'shop'),
        obj('v1', 'Service', 'web', 'shop'),
        obj('v1', 'ConfigMap', 'b', 'shop'),
        obj('v1', 'ConfigMap', 'a', 'shop'),
        obj('batch/v1', 'Job', 'smoke', 'shop', { 'keelson.dev/hook': 'PostSync' }),
        obj('batch/v1', 'Job', 'migrate', 'shop', { 'keelson.dev/hook': 'PreSync' }),
        obj('apps/v1', 'Deployment', 'worker', 'shop', { 'keelson.dev/sync-wave': '1' }),
      ]),
      [
        'PreSync/wave 0 batch/Job/shop/migrate (hook)',
        'Sync/wave 0 /ConfigMap/shop/a',
        'Sync/wave 0 /ConfigMap/shop/b',
        'Sync/wave 0 /Service/shop/web',
        'Sync/wave 0 apps/Deployment/shop/web',
        'Sync/wave 1 apps/Deployment/shop/worker',
        'PostSync/wave 0 batch/Job/shop/smoke (hook)',
      ],
    );
  });

  it('puts Sync hooks after the resources of their wave', () => {
    assert.deepEqual(
      order([
        obj('batch/v1', 'Job', 'seed', 'shop', { 'keelson.dev/hook': 'Sync' }),
        obj('apps/v1', 'Deployment', 'web', 'shop'),
      ]),
      ['Sync/wave 0 apps/Deployment/shop/web', 'Sync/wave 0 batch/Job/shop/seed (hook)'],
    );
  });

  it('raises a Namespace to the earliest wave of what lives in it', () => {
    assert.deepEqual(
      order([
        obj('apps/v1', 'Deployment', 'web', 'shop', { 'keelson.dev/sync-wave': '-1' }),
        obj('v1', 'Namespace', 'shop', undefined, { 'keelson.dev/sync-wave': '3' }),
      ]),
      ['Sync/wave -1 /Namespace//shop', 'Sync/wave -1 apps/Deployment/shop/web'],
    );
  });

  it('raises a Namespace into PreSync when a PreSync hook lives in it', () => {
    assert.deepEqual(
      order([
        obj('batch/v1', 'Job', 'migrate', 'shop', { 'keelson.dev/hook': 'PreSync' }),
        obj('v1', 'Namespace', 'shop'),
      ]),
      ['PreSync/wave 0 /Namespace//shop', 'PreSync/wave 0 batch/Job/shop/migrate (hook)'],
    );
  });

  it('raises a CRD ahead of the custom resources of its kind', () => {
    const crd = obj(
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
      'widgets.example.com',
      undefined,
      { 'keelson.dev/sync-wave': '2' },
      { spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' } } },
    );
    assert.deepEqual(order([obj('example.com/v1', 'Widget', 'w', 'shop'), crd]), [
      'Sync/wave 0 apiextensions.k8s.io/CustomResourceDefinition//widgets.example.com',
      'Sync/wave 0 example.com/Widget/shop/w',
    ]);
  });

  it('prunes after the Sync phase, in reverse wave and reverse kind order', () => {
    assert.deepEqual(
      order(
        [
          obj('apps/v1', 'Deployment', 'web', 'shop', {}),
          obj('batch/v1', 'Job', 'smoke', 'shop', { 'keelson.dev/hook': 'PostSync' }),
        ],
        [
          obj('v1', 'Namespace', 'old'),
          obj('v1', 'ConfigMap', 'old', 'old', { 'keelson.dev/sync-wave': '1' }),
          obj('apps/v1', 'Deployment', 'old', 'old'),
        ],
      ),
      [
        'Sync/wave 0 apps/Deployment/shop/web',
        'Prune/wave 1 /ConfigMap/old/old',
        'Prune/wave 0 apps/Deployment/old/old',
        'Prune/wave 0 /Namespace//old',
        'PostSync/wave 0 batch/Job/shop/smoke (hook)',
      ],
    );
  });

  it('makes one task per phase of a hook with several phases', () => {
    assert.deepEqual(
      order([obj('batch/v1', 'Job', 'notify', 'shop', { 'argocd.argoproj.io/hook': 'PostSync,SyncFail' })]),
      ['PostSync/wave 0 batch/Job/shop/notify (hook)', 'SyncFail/wave 0 batch/Job/shop/notify (hook)'],
    );
  });

  it("leaves out objects marked with Argo CD's Skip hook", () => {
    const plan = planSync({ desired: [obj('v1', 'ConfigMap', 'x', 'shop', { 'argocd.argoproj.io/hook': 'Skip' })] });
    assert.deepEqual(plan.tasks, []);
    assert.deepEqual(plan.skipped, ['/ConfigMap/shop/x']);
  });

  it('names an Argo CD hook that has only generateName after it', () => {
    const hook: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        generateName: 'migrate-',
        namespace: 'shop',
        annotations: { 'argocd.argoproj.io/hook': 'PreSync' },
      } as unknown as KubeObject['metadata'],
    };
    assert.deepEqual(order([hook]), ['PreSync/wave 0 batch/Job/shop/migrate (hook)']);
  });

  it('an ordinary resource without a name is an error', () => {
    const nameless: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'cfg-', namespace: 'shop' } as unknown as KubeObject['metadata'],
    };
    assert.throws(() => planSync({ desired: [nameless] }), /generateName is only allowed on hooks/);
  });

  it('reports every invalid annotation at once, each naming its object', () => {
    assert.throws(
      () =>
        planSync({
          desired: [
            obj('v1', 'ConfigMap', 'a', 'shop', { 'keelson.dev/sync-wave': 'x' }),
            obj('v1', 'ConfigMap', 'b', 'shop', { 'keelson.dev/hook': 'Later' }),
            obj('v1', 'ConfigMap', 'c', 'shop'),
          ],
        }),
      (err: unknown) => {
        assert.ok(err instanceof SyncPlanError);
        assert.equal(err.errors.length, 2);
        assert.match(err.message, /ConfigMap shop\/a.*ConfigMap shop\/b/);
        return true;
      },
    );
  });
});
