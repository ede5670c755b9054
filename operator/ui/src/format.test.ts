import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commitOf, policyOf, relativeTime, repositoryState, shortRevision } from './format.ts';
import type { Environment, GitRepositoryRow } from './types.ts';

const NOW = Date.parse('2026-12-02T12:00:00Z');

test('relative time in the largest whole unit', () => {
  assert.equal(relativeTime('2026-12-02T11:59:55Z', NOW), 'just now');
  assert.equal(relativeTime('2026-12-02T11:59:18Z', NOW), '42s ago');
  assert.equal(relativeTime('2026-12-02T11:55:00Z', NOW), '5m ago');
  assert.equal(relativeTime('2026-12-02T09:00:00Z', NOW), '3h ago');
  assert.equal(relativeTime('2026-11-30T12:00:00Z', NOW), '2d ago');
  assert.equal(relativeTime('2026-09-01T12:00:00Z', NOW), '3mo ago');
  assert.equal(relativeTime('2024-12-01T12:00:00Z', NOW), '2y ago');
  assert.equal(relativeTime('2026-12-02T12:05:00Z', NOW), 'in 5m');
  assert.equal(relativeTime(undefined, NOW), '');
  assert.equal(relativeTime('not a time', NOW), '');
});

test('short revisions keep the ref and seven digits of the commit', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  assert.equal(shortRevision(`main@sha1:${sha}`), 'main@0123456');
  assert.equal(shortRevision(sha), '0123456');
  assert.equal(shortRevision('v1.2.3'), 'v1.2.3');
  assert.equal(shortRevision(undefined), '');
  assert.equal(commitOf(`main@sha1:${sha}`), sha);
  assert.equal(commitOf('main'), undefined);
});

test('policy: suspended, then paused, then automated or manual', () => {
  const env = (spec: Environment['spec'], annotations?: Record<string, string>): Environment => ({
    metadata: { name: 'prod', namespace: 'shop', ...(annotations ? { annotations } : {}) },
    spec,
  });
  assert.equal(policyOf(env({ suspend: true, sync: { automated: {} } })), 'suspended');
  assert.equal(policyOf(env({ sync: { automated: {} } }, { 'keelson.dev/auto-sync-paused': 'rollback' })), 'paused');
  assert.equal(policyOf(env({ sync: { automated: {} } })), 'automated');
  assert.equal(policyOf(env({})), 'manual');
});

test("a GitRepository's state: suspended first, then a failed fetch, then Ready", () => {
  const row: GitRepositoryRow = {
    namespace: 'shop',
    name: 'deploy',
    url: 'https://git.example/deploy.git',
    ref: 'branch main',
    interval: '1m',
    suspend: false,
    ready: { status: 'True' },
  };
  assert.equal(repositoryState(row), 'Ready');
  assert.equal(repositoryState({ ...row, ready: { status: 'False', reason: 'FetchFailed' } }), 'NotReady');
  assert.equal(repositoryState({ ...row, ready: { status: 'Unknown' } }), 'Unknown');
  assert.equal(repositoryState({ ...row, fetchFailed: 'connection refused' }), 'FetchFailed');
  assert.equal(repositoryState({ ...row, suspend: true, fetchFailed: 'connection refused' }), 'Suspended');
});
