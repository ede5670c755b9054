import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Operation } from '../../api/v1alpha1/environment.ts';
import { finishOperation } from './operation-outcome.ts';

const base = { history: [], historyLimit: 10, now: '2026-01-01T00:01:00Z' };
const op = (phase: Operation['phase'], tasks: NonNullable<Operation['tasks']>): Operation => ({
  id: 'op',
  phase,
  revision: 'main@sha1:abc',
  startedAt: '2026-01-01T00:00:00Z',
  tasks,
});

describe('finishOperation', () => {
  it('drops what a prune left in place from the inventory and lists it, with why', () => {
    const done = finishOperation({
      ...base,
      operation: op('Succeeded', [
        { key: '/ConfigMap/shop/gone', apiVersion: 'v1', phase: 'Prune', wave: 0, status: 'Succeeded', applied: true },
        {
          key: '/ConfigMap/shop/theirs',
          apiVersion: 'v1',
          phase: 'Prune',
          wave: 0,
          status: 'Skipped',
          retained: 'NotOwned',
          message: 'left in place: ConfigMap shop/theirs is not owned by this Environment',
        },
      ]),
      desired: [],
      inventory: ['/v1/ConfigMap/shop/gone', '/v1/ConfigMap/shop/theirs', '/v1/ConfigMap/shop/untouched'],
    });
    assert.deepEqual(done.inventory, ['/v1/ConfigMap/shop/untouched']);
    assert.deepEqual(done.retained, [
      {
        group: '',
        version: 'v1',
        kind: 'ConfigMap',
        namespace: 'shop',
        name: 'theirs',
        reason: 'NotOwned',
        message: 'ConfigMap shop/theirs is not owned by this Environment',
      },
    ]);
  });

  it('an operation without prune tasks says nothing of what was retained', () => {
    const done = finishOperation({ ...base, operation: op('Succeeded', []), desired: [], inventory: [] });
    assert.equal(done.retained, undefined);
  });

  it('a failed operation records what its tasks applied, without its desired state', () => {
    const done = finishOperation({
      ...base,
      operation: op('Failed', [
        {
          key: 'apps/Deployment/shop/web',
          apiVersion: 'apps/v1',
          phase: 'Sync',
          wave: 0,
          status: 'Succeeded',
          applied: true,
        },
        { key: '/ConfigMap/shop/later', apiVersion: 'v1', phase: 'Sync', wave: 1, status: 'Skipped' },
      ]),
      desired: [],
      inventory: [],
    });
    assert.deepEqual(done.inventory, ['apps/v1/Deployment/shop/web']);
    assert.deepEqual(done.history, []);
  });
});
