import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assessHealth } from '../health/index.ts';
import type { KubeObject } from '../manifest.ts';
import { MAX_CHILDREN, ownedTrees } from './owned-tree.ts';

const owned = (
  apiVersion: string,
  kind: string,
  name: string,
  owner?: [string, string, string],
  extra = {},
): KubeObject =>
  ({
    apiVersion,
    kind,
    metadata: {
      namespace: 'shop',
      name,
      creationTimestamp: `2026-01-01T00:00:0${name.length % 10}Z`,
      ownerReferences: owner ? [{ apiVersion: owner[0], kind: owner[1], name: owner[2], controller: true }] : undefined,
    },
    ...extra,
  }) as KubeObject;

describe('what the objects own', () => {
  const rs = owned('apps/v1', 'ReplicaSet', 'api-7f9', ['apps/v1', 'Deployment', 'api'], {
    spec: { replicas: 2 },
    status: { availableReplicas: 1 },
  });
  const pods = [
    owned('v1', 'Pod', 'api-7f9-a', ['apps/v1', 'ReplicaSet', 'api-7f9'], {
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    }),
    owned('v1', 'Pod', 'api-7f9-bb', ['apps/v1', 'ReplicaSet', 'api-7f9'], { status: { phase: 'Pending' } }),
  ];
  const job = owned('batch/v1', 'Job', 'report-1', ['batch/v1', 'CronJob', 'report']);
  const stray = owned('v1', 'Pod', 'other', ['apps/v1', 'ReplicaSet', 'not-ours']);
  const notController = owned('v1', 'Pod', 'x', undefined, {
    metadata: {
      namespace: 'shop',
      name: 'x',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-7f9' }],
    },
  });
  const trees = ownedTrees(
    [
      { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'api' },
      { group: 'batch', kind: 'CronJob', namespace: 'shop', name: 'report' },
      { group: '', kind: 'Service', namespace: 'shop', name: 'api' },
    ],
    [rs, ...pods, job, stray, notController],
    assessHealth,
  );

  it('a Deployment owns its ReplicaSets, and they their Pods, newest first, each with its health', () => {
    const [set] = trees.get('apps/Deployment/shop/api')!.children;
    assert.equal(set!.name, 'api-7f9');
    assert.equal(set!.health.status, 'Progressing');
    assert.deepEqual(
      set!.children.map((p) => [p.name, p.health.status]),
      [
        ['api-7f9-a', 'Healthy'],
        ['api-7f9-bb', 'Progressing'],
      ],
    );
  });

  it("a CronJob owns its Jobs; a kind that owns nothing has no tree; others' objects are not shown", () => {
    assert.deepEqual(
      trees.get('batch/CronJob/shop/report')!.children.map((j) => j.name),
      ['report-1'],
    );
    assert.equal(trees.has('/Service/shop/api'), false);
    const all = JSON.stringify([...trees.values()]);
    assert.ok(!all.includes('"other"') && !all.includes('"x"'), 'only controller references of ours');
  });

  it('shows at most MAX_CHILDREN and counts the rest', () => {
    const many = Array.from({ length: MAX_CHILDREN + 7 }, (_, i) =>
      owned('v1', 'Pod', `p${i}`, ['apps/v1', 'StatefulSet', 'db']),
    );
    const tree = ownedTrees(
      [{ group: 'apps', kind: 'StatefulSet', namespace: 'shop', name: 'db' }],
      many,
      assessHealth,
    );
    assert.equal(tree.get('apps/StatefulSet/shop/db')!.children.length, MAX_CHILDREN);
    assert.equal(tree.get('apps/StatefulSet/shop/db')!.more, 7);
  });
});
