import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reason } from '../../api/v1alpha1/conditions.ts';
import { WaitingError } from '../reconcile-errors.ts';
import { CLUSTER_REACHABLE, environmentConditions } from './environment-conditions.ts';

const ctx = { now: '2026-12-02T12:00:00Z', generation: 1 };
const summary = { resources: [], apps: [], sync: 'Synced' as const, health: { status: 'Healthy' as const } };
const reachable = (c: ReturnType<typeof environmentConditions>) => c.find((x) => x.type === CLUSTER_REACHABLE);

describe('environmentConditions: ClusterReachable', () => {
  const unreachable = new WaitingError(Reason.ClusterUnreachable, 'cannot reach the cluster', 10_000, {
    condition: CLUSTER_REACHABLE,
  });

  it('is False with ClusterUnreachable while the cluster does not answer, and Ready says so', () => {
    const c = environmentConditions([], { error: unreachable, suspended: false }, ctx);
    assert.equal(reachable(c)?.status, 'False');
    assert.equal(reachable(c)?.reason, Reason.ClusterUnreachable);
    assert.equal(c.find((x) => x.type === 'Ready')?.reason, Reason.ClusterUnreachable);
  });

  it('turns True once the Environment compared on its cluster again', () => {
    const down = environmentConditions([], { error: unreachable, suspended: false }, ctx);
    const c = environmentConditions(down, { summary, suspended: false }, ctx);
    assert.equal(reachable(c)?.status, 'True');
    assert.equal(reachable(c)?.reason, Reason.ClusterReachable);
  });

  it('is True for an Environment with spec.destination, and absent for one in the operator’s own cluster', () => {
    assert.equal(
      reachable(environmentConditions([], { summary, suspended: false, destination: true }, ctx))?.status,
      'True',
    );
    assert.equal(reachable(environmentConditions([], { summary, suspended: false }, ctx)), undefined);
  });
});
