import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../duration.ts';
import { findRollbackTarget, recordHistory } from './history.ts';
import { resolveRetry, retryDelayMs } from './retry.ts';
import {
  formatSyncRequest,
  isNewRequest,
  parseSyncRequest,
  planRollback,
  syncRequestAnnotations,
} from './sync-request.ts';

describe('durations', () => {
  for (const [text, ms] of [
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
  ] as const) {
    it(`parses ${text}`, () => assert.equal(parseDuration(text), ms));
  }
  it('refuses words, naming the text', () =>
    assert.throws(() => parseDuration('five minutes'), /"five minutes" is not a duration/));
  it('formats back', () =>
    assert.deepEqual([90_000, 3_600_000, 500, 0].map(formatDuration), ['1m30s', '1h', '500ms', '0ms']));
});

describe('sync requests', () => {
  it('a token alone syncs the latest revision', () =>
    assert.deepEqual(parseSyncRequest('2026-11-22T04:00:00Z'), { token: '2026-11-22T04:00:00Z' }));
  it('a token may name a commit', () => {
    const r = parseSyncRequest(`t1@${'b'.repeat(40)}`);
    assert.deepEqual(r, { token: 't1', commit: 'b'.repeat(40) });
    assert.equal(formatSyncRequest(r!), `t1@${'b'.repeat(40)}`);
  });
  it('a short commit is an error naming the annotation', () =>
    assert.throws(() => parseSyncRequest('t1@abc'), /sync-requested-at: "abc" is not a full commit id/));
  it('empty means no request', () => assert.equal(parseSyncRequest(''), undefined));
  it('carries a request not to prune, with or without a commit', () => {
    const commit = 'c'.repeat(40);
    assert.deepEqual(parseSyncRequest(`t1@${commit};no-prune`), { token: 't1', commit, prune: false });
    assert.deepEqual(parseSyncRequest('t2;no-prune'), { token: 't2', prune: false });
    assert.equal(formatSyncRequest({ token: 't1', commit, prune: false }), `t1@${commit};no-prune`);
    assert.equal(formatSyncRequest({ token: 't3', prune: true }), 't3');
  });
  it('a handled token is not new', () => {
    assert.equal(isNewRequest('t1', 't1'), false);
    assert.equal(isNewRequest('t2', 't1'), true);
    assert.equal(isNewRequest(undefined, 't1'), false);
  });
});

describe('history', () => {
  const at = '2026-11-22T04:00:00Z';
  it('numbers entries, newest first, and keeps the limit', () => {
    let h = recordHistory([], { revision: 'r0', deployedAt: at }, 3);
    for (const r of ['r1', 'r2', 'r3']) h = recordHistory(h, { revision: r, deployedAt: at }, 3);
    assert.deepEqual(
      h.map((e) => [e.id, e.revision]),
      [
        [3, 'r3'],
        [2, 'r2'],
        [1, 'r1'],
      ],
    );
  });
  it('rolls back to the newest other revision by default, or to the id named', () => {
    const h = [
      { id: 2, revision: 'r2', deployedAt: at },
      { id: 1, revision: 'r1', deployedAt: at },
      { id: 0, revision: 'r0', deployedAt: at },
    ];
    assert.equal(findRollbackTarget(h, 'r2').id, 1);
    assert.equal(findRollbackTarget(h, 'r2', 0).revision, 'r0');
    assert.throws(() => findRollbackTarget(h, 'r2', 7), /no history entry 7; the history has entries 2, 1, 0/);
    assert.throws(() => findRollbackTarget([h[0]!], 'r2'), /nothing to roll back to/);
  });
});

describe('retry backoff', () => {
  it('grows by the factor up to the maximum', () => {
    const r = resolveRetry({ limit: 4, backoff: { duration: '10s', factor: 3, maxDuration: '1m' } });
    assert.deepEqual(
      [1, 2, 3, 4].map((a) => retryDelayMs(r, a)),
      [10_000, 30_000, 60_000, 60_000],
    );
  });
  it('defaults to 5 retries from 5s doubling to 3m', () =>
    assert.deepEqual(resolveRetry(undefined), { limit: 5, durationMs: 5000, factor: 2, maxDurationMs: 180_000 }));
});

describe('sync and rollback requests', () => {
  const at = '2026-11-22T04:00:00Z';
  const history = [
    { id: 2, revision: `main@sha1:${'b'.repeat(40)}`, deployedAt: at },
    { id: 1, revision: `main@sha1:${'a'.repeat(40)}`, deployedAt: at },
  ];
  it('a sync request names the token, the commit and who asked', () => {
    assert.deepEqual(syncRequestAnnotations({ token: 't1', commit: 'c'.repeat(40) }, 'alice'), {
      'keelson.dev/sync-requested-at': `t1@${'c'.repeat(40)}`,
      'keelson.dev/sync-requested-by': 'alice',
    });
  });
  it('a rollback syncs the commit of the entry before the deployed one and pauses automated sync', () => {
    const plan = planRollback(history, undefined, 'bob', 't2');
    assert.equal(plan.target.id, 1);
    assert.deepEqual(plan.request, { token: 't2', commit: 'a'.repeat(40) });
    assert.equal(plan.annotations['keelson.dev/sync-requested-at'], `t2@${'a'.repeat(40)}`);
    assert.match(
      plan.annotations['keelson.dev/auto-sync-paused']!,
      /^rollback to history entry 1 \(main@sha1:a{40}\) by bob$/,
    );
    assert.throws(() => planRollback([history[0]!], undefined, 'bob', 't3'), /nothing to roll back to/);
  });
});
