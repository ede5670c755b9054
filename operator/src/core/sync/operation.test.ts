import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expireOperation, type Operation } from './operation.ts';
import { retentionOf, withOwnership } from './ownership.ts';
import type { KubeObject } from '../manifest.ts';

const owner = { name: 'prod', namespace: 'keelson' };
const cm = (annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'shop', ...(annotations ? { annotations } : {}) },
});

describe('retentionOf', () => {
  const cases: { name: string; live: KubeObject; hook?: boolean; want: string | undefined; message?: RegExp }[] = [
    { name: 'an object this Environment owns may be deleted', live: withOwnership(cm(), owner), want: undefined },
    {
      name: 'an object recreated by hand (no owner annotation) stays',
      live: cm(),
      want: 'NotOwned',
      message: /ConfigMap shop\/settings is not owned by this Environment \(it has no keelson.dev\/owner annotation\)/,
    },
    {
      name: 'an object another Environment took over stays',
      live: withOwnership(cm(), { name: 'dev', namespace: 'keelson' }),
      want: 'NotOwned',
      message: /its keelson.dev\/owner is "keelson\/dev"/,
    },
    {
      name: 'an object marked prune false stays',
      live: withOwnership(cm({ 'keelson.dev/prune': 'false' }), owner),
      want: 'PruneDisabled',
      message: /marked keelson.dev\/prune: "false"/,
    },
    {
      name: 'a hook object marked prune false is still cleaned up',
      live: withOwnership(cm({ 'keelson.dev/prune': 'false' }), owner),
      hook: true,
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = retentionOf(c.live, owner, { hook: c.hook });
      assert.equal(r?.reason, c.want);
      if (c.message) assert.match(r!.message, c.message);
    });
  }
});

describe('withOwnership', () => {
  it('labels the object with its Environment, and with its shard only when the operator runs sharded', () => {
    const labels = (o: KubeObject) => o.metadata.labels;
    assert.deepEqual(labels(withOwnership(cm(), owner)), {
      'keelson.dev/environment': 'prod',
      'keelson.dev/environment-namespace': 'keelson',
    });
    assert.deepEqual(labels(withOwnership(cm(), { ...owner, shard: 0 })), {
      'keelson.dev/environment': 'prod',
      'keelson.dev/environment-namespace': 'keelson',
      'keelson.dev/shard': '0',
    });
    assert.equal(
      withOwnership(cm(), { ...owner, shard: 11 }).metadata.annotations?.['keelson.dev/owner'],
      'keelson/prod',
    );
  });
});

describe('expireOperation', () => {
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const op: Operation = {
    id: 'op',
    phase: 'Running',
    revision: 'main@sha1:abc',
    startedAt: new Date(T0).toISOString(),
    tasks: [
      { key: '/ConfigMap/shop/a', phase: 'Sync', wave: 0, status: 'Succeeded', applied: true },
      { key: '/ConfigMap/shop/b', phase: 'Sync', wave: 1, status: 'Running', applied: true },
      { key: '/ConfigMap/shop/c', phase: 'Sync', wave: 2, status: 'Pending' },
    ],
  };
  it('leaves an operation with time left alone', () => {
    assert.equal(expireOperation(op, { now: T0 + 20_000, timeoutMs: 30_000, cause: 'x' }), undefined);
  });
  it('fails an operation past its time limit, naming the step and why, and skips what had not run', () => {
    const done = expireOperation(op, {
      now: T0 + 31_000,
      timeoutMs: 30_000,
      cause: 'comparing with the cluster failed: forbidden',
    })!;
    assert.equal(done.phase, 'Failed');
    assert.equal(
      done.message,
      'the operation did not finish within 30 s: comparing with the cluster failed: forbidden',
    );
    assert.equal(done.finishedAt, new Date(T0 + 31_000).toISOString());
    assert.deepEqual(
      done.tasks!.map((t) => t.status),
      ['Succeeded', 'Skipped', 'Skipped'],
    );
  });
  it('leaves a finished operation alone', () => {
    assert.equal(
      expireOperation({ ...op, phase: 'Succeeded' }, { now: T0 + 10 * 60_000, timeoutMs: 1000, cause: 'x' }),
      undefined,
    );
  });
});
