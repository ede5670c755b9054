// keelson list's AUTO-SYNC column: a rollback's pause shows, as does suspension.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_AUTO_SYNC_PAUSED } from '../core/keys.ts';
import type { EnvironmentResource } from '../adapters/kubernetes/keelson-resources.ts';
import { autoSyncOf } from './list.ts';

const env = (spec: Partial<EnvironmentResource['spec']>, annotations: Record<string, string> = {}) =>
  ({
    metadata: { name: 'dev', namespace: 'shop', annotations },
    spec: { sourceRef: { name: 'deploy' }, environment: 'dev', ...spec },
  }) as Pick<EnvironmentResource, 'metadata' | 'spec'>;

describe('autoSyncOf', () => {
  it('is manual without spec.sync.automated, on with it', () => {
    assert.equal(autoSyncOf(env({})), 'manual');
    assert.equal(autoSyncOf(env({ sync: { automated: {} } })), 'on');
  });
  it('is paused after a rollback paused automated sync', () => {
    assert.equal(
      autoSyncOf(env({ sync: { automated: {} } }, { [ANNOTATION_AUTO_SYNC_PAUSED]: 'rollback to op-1' })),
      'paused',
    );
  });
  it('is suspended when the Environment is', () => {
    assert.equal(autoSyncOf(env({ suspend: true, sync: { automated: {} } })), 'suspended');
  });
});
