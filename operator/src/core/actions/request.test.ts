import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentStatus } from '../../api/v1alpha1/environment.ts';
import {
  ActionError,
  findTarget,
  parseActionRequest,
  parseObjectRef,
  planRetry,
  type ActionErrorCode,
} from './request.ts';

const code = (fn: () => unknown): ActionErrorCode | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof ActionError) return err.code;
    throw err;
  }
};

describe('parseActionRequest', () => {
  const cases: [string, Record<string, unknown>, ActionErrorCode | undefined][] = [
    ['a restart', { action: 'restart', kind: 'Deployment', name: 'web' }, undefined],
    ['a scale', { action: 'scale', kind: 'StatefulSet', name: 'db', namespace: 'shop', replicas: 2 }, undefined],
    ['a scale to 0', { action: 'scale', kind: 'Deployment', name: 'web', replicas: 0 }, undefined],
    ['a group', { action: 'suspend', kind: 'CronJob', name: 'nightly', group: 'batch' }, undefined],
    ['an unknown action', { action: 'delete', kind: 'Deployment', name: 'web' }, 'InvalidRequest'],
    ['no kind', { action: 'restart', name: 'web' }, 'InvalidRequest'],
    ['a bad name', { action: 'restart', kind: 'Deployment', name: 'Web!' }, 'InvalidRequest'],
    ['a bad namespace', { action: 'restart', kind: 'Deployment', name: 'web', namespace: 7 }, 'InvalidRequest'],
    ['a kind the action does not apply to', { action: 'restart', kind: 'CronJob', name: 'x' }, 'NotApplicable'],
    [
      'a group the action does not apply to',
      { action: 'restart', kind: 'Deployment', name: 'x', group: 'ex.com' },
      'NotApplicable',
    ],
    ['scale without replicas', { action: 'scale', kind: 'Deployment', name: 'web' }, 'InvalidRequest'],
    [
      'scale with negative replicas',
      { action: 'scale', kind: 'Deployment', name: 'web', replicas: -1 },
      'InvalidRequest',
    ],
    ['replicas on a restart', { action: 'restart', kind: 'Deployment', name: 'web', replicas: 1 }, 'InvalidRequest'],
  ];
  for (const [what, body, expected] of cases) {
    it(`${what}: ${expected ?? 'accepted'}`, () =>
      assert.equal(
        code(() => parseActionRequest(body)),
        expected,
      ));
  }

  it('names the kinds an action applies to', () => {
    assert.throws(
      () => parseActionRequest({ action: 'scale', kind: 'DaemonSet', name: 'x' }),
      /scale applies to Deployment, StatefulSet and ReplicaSet, not DaemonSet/,
    );
  });
});

describe('parseObjectRef', () => {
  it('reads kind/name and group/kind/name', () => {
    assert.deepEqual(parseObjectRef('Deployment/web'), { kind: 'Deployment', name: 'web' });
    assert.deepEqual(parseObjectRef('apps/Deployment/web'), { group: 'apps', kind: 'Deployment', name: 'web' });
    assert.equal(
      code(() => parseObjectRef('web')),
      'InvalidRequest',
    );
    assert.equal(
      code(() => parseObjectRef('a/b/c/d')),
      'InvalidRequest',
    );
  });
});

describe('findTarget', () => {
  const status: EnvironmentStatus = {
    inventory: [
      'apps/v1/Deployment/shop/web',
      'apps/v1/Deployment/other/web',
      'apps/v1/StatefulSet/shop/db',
      'batch/v1/CronJob/shop/nightly',
      '/v1/ConfigMap/shop/web',
    ],
  };
  const request = (body: Record<string, unknown>) => parseActionRequest(body);

  it('finds the managed object with its apiVersion', () => {
    assert.deepEqual(
      findTarget(status, request({ action: 'scale', kind: 'StatefulSet', name: 'db', replicas: 1 }), 'shop/env'),
      {
        apiVersion: 'apps/v1',
        key: { group: 'apps', kind: 'StatefulSet', namespace: 'shop', name: 'db' },
      },
    );
    assert.equal(
      findTarget(
        status,
        request({ action: 'restart', kind: 'Deployment', name: 'web', namespace: 'other' }),
        'shop/env',
      ).key.namespace,
      'other',
    );
  });

  it('asks for the namespace when two objects match', () => {
    assert.equal(
      code(() => findTarget(status, request({ action: 'restart', kind: 'Deployment', name: 'web' }), 'shop/env')),
      'InvalidRequest',
    );
  });

  it('an object not in the inventory is NotManaged', () => {
    assert.equal(
      code(() => findTarget(status, request({ action: 'restart', kind: 'Deployment', name: 'api' }), 'shop/env')),
      'NotManaged',
    );
    assert.equal(
      code(() =>
        findTarget(
          status,
          request({ action: 'restart', kind: 'Deployment', name: 'web', namespace: 'kube-system' }),
          'shop/env',
        ),
      ),
      'NotManaged',
    );
    assert.equal(
      code(() => findTarget(undefined, request({ action: 'suspend', kind: 'CronJob', name: 'nightly' }), 'shop/env')),
      'NotManaged',
    );
  });
});

describe('planRetry', () => {
  const revision = `main@sha1:${'a'.repeat(40)}`;
  const failedOp = (
    phase: 'Failed' | 'Succeeded',
    taskStatus: 'Failed' | 'Succeeded',
    prune = false,
  ): EnvironmentStatus => ({
    operation: {
      id: 'op1',
      phase,
      revision,
      startedAt: '2024-05-01T12:00:00Z',
      tasks: [
        { key: 'apps/Deployment/shop/web', phase: 'Sync', wave: 0, status: 'Succeeded', apiVersion: 'apps/v1' },
        {
          key: 'batch/Job/shop/migrate',
          phase: 'PreSync',
          wave: 0,
          status: taskStatus,
          hookName: 'migrate-op1-presync',
          apiVersion: 'batch/v1',
        },
        ...(prune ? [{ key: '/ConfigMap/shop/old', phase: 'Prune', wave: 0, status: 'Pending' as const }] : []),
      ],
    },
  });
  const retry = (name: string) => parseActionRequest({ action: 'retry', kind: 'Job', name });

  it('syncs the failed revision again, by the hook name or the created name', () => {
    for (const name of ['migrate', 'migrate-op1-presync']) {
      assert.deepEqual(planRetry(failedOp('Failed', 'Failed'), retry(name), 'shop/env'), {
        target: {
          apiVersion: 'batch/v1',
          key: { group: 'batch', kind: 'Job', namespace: 'shop', name: 'migrate-op1-presync' },
        },
        commit: 'a'.repeat(40),
        prune: false,
        operationId: 'op1',
      });
    }
  });

  it('prunes when the failed operation did', () => {
    assert.equal(planRetry(failedOp('Failed', 'Failed', true), retry('migrate'), 'shop/env').prune, true);
  });

  it('refuses what is not a failed hook of a failed operation', () => {
    assert.equal(
      code(() => planRetry(failedOp('Failed', 'Failed'), retry('other'), 'shop/env')),
      'NotManaged',
    );
    assert.equal(
      code(() => planRetry({}, retry('migrate'), 'shop/env')),
      'NotManaged',
    );
    assert.equal(
      code(() => planRetry(failedOp('Succeeded', 'Succeeded'), retry('migrate'), 'shop/env')),
      'NotRetryable',
    );
    assert.equal(
      code(() => planRetry(failedOp('Failed', 'Succeeded'), retry('migrate'), 'shop/env')),
      'NotRetryable',
    );
  });
});
