import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentResource } from '../adapters/kubernetes/keelson-resources.ts';
import { describeEnvironment } from './get.ts';

describe('describeEnvironment', () => {
  it('lists the objects the last prune left in place, and why', () => {
    const env = {
      apiVersion: 'keelson.dev/v1alpha1',
      kind: 'Environment',
      metadata: { name: 'dev', namespace: 'team' },
      spec: { sourceRef: { name: 'deploy' }, environment: 'dev' },
      status: {
        retained: [
          {
            group: '',
            version: 'v1',
            kind: 'ConfigMap',
            namespace: 'shop',
            name: 'b',
            reason: 'NotOwned',
            message: 'left in place: ConfigMap shop/b is not owned by this Environment',
          },
        ],
      },
    } as unknown as EnvironmentResource;
    const text = describeEnvironment(env, Date.now());
    assert.match(
      text,
      /Left in place \(not deleted by the last prune or deletion\):\n\s+KIND\s+NAMESPACE\s+NAME\s+REASON\s+MESSAGE\n\s+ConfigMap\s+shop\s+b\s+NotOwned\s+left in place: ConfigMap shop\/b is not owned/,
    );
  });
  it('says nothing of retained objects when there are none', () => {
    const env = {
      metadata: { name: 'dev', namespace: 'team' },
      spec: { sourceRef: { name: 'deploy' }, environment: 'dev' },
      status: {},
    } as unknown as EnvironmentResource;
    assert.doesNotMatch(describeEnvironment(env, Date.now()), /Left in place/);
  });

  it('names the replica and shard that reconciled it, with sharding on, and nothing without', () => {
    const env = {
      metadata: { name: 'dev', namespace: 'team' },
      spec: { sourceRef: { name: 'deploy' }, environment: 'dev' },
      status: { reconciledBy: { replica: 'keelson-7d9f-abcde', shard: 5 } },
    } as unknown as EnvironmentResource;
    assert.match(describeEnvironment(env, Date.now()), /^Reconciled by: keelson-7d9f-abcde \(shard 5\)$/m);
    assert.doesNotMatch(describeEnvironment({ ...env, status: {} }, Date.now()), /Reconciled by/);
  });
});
