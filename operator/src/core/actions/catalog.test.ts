import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { actionPatch, actionsFor, appliesTo, kindsOf, replicasProblem, rfc3339 } from './catalog.ts';

describe('resource actions catalog', () => {
  const table: [string, string, string[]][] = [
    ['apps', 'Deployment', ['restart', 'scale']],
    ['apps', 'StatefulSet', ['restart', 'scale']],
    ['apps', 'DaemonSet', ['restart']],
    ['apps', 'ReplicaSet', ['scale']],
    ['batch', 'CronJob', ['suspend', 'resume']],
    ['batch', 'Job', ['retry']],
    ['', 'ConfigMap', []],
    ['extensions', 'Deployment', []],
  ];
  for (const [group, kind, actions] of table) {
    it(`${group || 'core'}/${kind}: ${actions.join(', ') || 'none'}`, () => {
      assert.deepEqual(actionsFor(group, kind), actions);
    });
  }

  it('appliesTo matches any group when none is given', () => {
    assert.equal(appliesTo('restart', 'Deployment'), true);
    assert.equal(appliesTo('restart', 'Deployment', 'apps'), true);
    assert.equal(appliesTo('restart', 'Deployment', 'example.com'), false);
    assert.equal(appliesTo('scale', 'DaemonSet'), false);
  });

  it('names the kinds in messages', () => {
    assert.equal(kindsOf('restart'), 'Deployment, StatefulSet and DaemonSet');
    assert.equal(kindsOf('suspend'), 'CronJob');
  });

  const counts: [unknown, boolean][] = [
    [0, true],
    [3, true],
    [2_147_483_647, true],
    [2_147_483_648, false],
    [-1, false],
    [1.5, false],
    ['3', false],
    [undefined, false],
    [null, false],
  ];
  for (const [replicas, ok] of counts) {
    it(`replicas ${JSON.stringify(replicas)} is ${ok ? 'valid' : 'refused'}`, () => {
      assert.equal(replicasProblem(replicas) === undefined, ok);
    });
  }

  const now = new Date('2024-05-01T12:00:00.123Z');
  const patches: [Parameters<typeof actionPatch>[0], number | undefined, unknown][] = [
    [
      'restart',
      undefined,
      {
        spec: {
          template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T12:00:00Z' } } },
        },
      },
    ],
    ['scale', 4, { spec: { replicas: 4 } }],
    ['scale', 0, { spec: { replicas: 0 } }],
    ['suspend', undefined, { spec: { suspend: true } }],
    ['resume', undefined, { spec: { suspend: false } }],
  ];
  for (const [action, replicas, patch] of patches) {
    it(`${action}${replicas === undefined ? '' : ` ${replicas}`} writes ${JSON.stringify(patch)}`, () => {
      assert.deepEqual(actionPatch(action, { now, replicas }), patch);
    });
  }

  it('scale without a count throws', () => {
    assert.throws(() => actionPatch('scale', { now }), RangeError);
  });

  it('writes RFC 3339 to the second', () => {
    assert.equal(rfc3339(new Date('2030-01-02T03:04:05.999Z')), '2030-01-02T03:04:05Z');
  });
});
