import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OperationTask } from '../../api/v1alpha1/environment-status.ts';
import {
  choosePod,
  containersOf,
  DEFAULT_TAIL_LINES,
  findHookJob,
  HookLogsError,
  LIMIT_BYTES,
  MAX_CONTAINERS,
  MAX_TAIL_LINES,
  tailLinesOf,
  tailOf,
} from './hook-logs.ts';
import type { KubeObject } from '../manifest.ts';

const task = (key: string, phase: string, status: OperationTask['status'], hookName?: string): OperationTask => ({
  key,
  phase,
  wave: 0,
  status,
  hookName,
});

const operation = {
  id: 'op-1',
  tasks: [
    task('batch/Job/shop-prod/migrate', 'PreSync', 'Failed', 'migrate-0a1b2c3d'),
    task('/Pod/shop-prod/probe', 'PreSync', 'Succeeded', 'probe-1a2b3c4d'),
    task('apps/Deployment/shop-prod/api', 'Sync', 'Pending'),
    task('batch/Job/shop-prod/seed', 'Sync', 'Pending'),
  ],
};

const pod = (name: string, created: string, phase: string, owner = 'migrate-0a1b2c3d', controller = true) =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: 'shop-prod',
      name,
      creationTimestamp: created,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: owner, controller }],
    },
    spec: { containers: [{ name: 'main' }] },
    status: { phase },
  }) as KubeObject & { status: { phase: string } };

const reasonOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof HookLogsError) return `${err.reason}: ${err.message}`;
    throw err;
  }
  return 'no error';
};

describe('the hook Job whose logs are asked for', () => {
  it("is a Job hook of the operation, named by its per-operation name, in its task's namespace", () => {
    assert.deepEqual(findHookJob(operation, 'migrate-0a1b2c3d', 'shop/prod'), {
      namespace: 'shop-prod',
      name: 'migrate-0a1b2c3d',
      hook: 'migrate',
      phase: 'PreSync',
      status: 'Failed',
    });
  });

  const refused: [string, string, typeof operation | undefined, RegExp][] = [
    ['an object of the operation that is not a hook', 'seed', operation, /^NotAHook: Job seed is not a hook/],
    ['the hook by its name in the deploy repository', 'migrate', operation, /the hook Jobs migrate-0a1b2c3d$/],
    ['a Pod hook (not a Job)', 'probe-1a2b3c4d', operation, /^NotAHook: .*operation op-1 has the hook Jobs/],
    ['any Job when no operation ran', 'migrate-0a1b2c3d', undefined, /it has run no operation, so it has no hook/],
  ];
  for (const [what, job, op, message] of refused) {
    it(`refuses ${what}, naming the hook Jobs it has`, () => {
      assert.match(
        reasonOf(() => findHookJob(op, job, 'shop/prod')),
        message,
      );
    });
  }
});

describe('the pod whose logs are read', () => {
  it('is the newest failed pod the Job controls', () => {
    const pods = [
      pod('migrate-old', '2026-01-01T00:00:01Z', 'Failed'),
      pod('migrate-new', '2026-01-01T00:00:03Z', 'Failed'),
      pod('migrate-running', '2026-01-01T00:00:05Z', 'Running'),
      pod('other-job', '2026-01-01T00:00:09Z', 'Failed', 'seed-1234abcd'),
      pod('not-controlled', '2026-01-01T00:00:09Z', 'Failed', 'migrate-0a1b2c3d', false),
    ];
    assert.equal(choosePod(pods, 'migrate-0a1b2c3d')?.metadata.name, 'migrate-new');
  });

  it('is the newest pod when none failed, and none when the Job controls none', () => {
    const pods = [pod('a', '2026-01-01T00:00:01Z', 'Succeeded'), pod('b', '2026-01-01T00:00:02Z', 'Running')];
    assert.equal(choosePod(pods, 'migrate-0a1b2c3d')?.metadata.name, 'b');
    assert.equal(
      choosePod([pod('x', '2026-01-01T00:00:01Z', 'Failed', 'seed-1234abcd')], 'migrate-0a1b2c3d'),
      undefined,
    );
  });

  it('has its init containers read first, and at most MAX_CONTAINERS', () => {
    const many = Array.from({ length: MAX_CONTAINERS + 3 }, (_, i) => ({ name: `c${i}` }));
    const p = { ...pod('p', '', 'Failed'), spec: { initContainers: [{ name: 'wait-db' }], containers: many } };
    const names = containersOf(p);
    assert.equal(names.length, MAX_CONTAINERS);
    assert.deepEqual(names.slice(0, 2), ['wait-db', 'c0']);
  });
});

describe('how much of a log is answered', () => {
  const cases: [string | null, number | string][] = [
    [null, DEFAULT_TAIL_LINES],
    ['', DEFAULT_TAIL_LINES],
    ['20', 20],
    [String(MAX_TAIL_LINES + 1), MAX_TAIL_LINES],
    ['0', 'BadTailLines'],
    ['-5', 'BadTailLines'],
    ['ten', 'BadTailLines'],
  ];
  for (const [asked, expected] of cases) {
    it(`tailLines=${asked} → ${expected}`, () => {
      if (typeof expected === 'number') assert.equal(tailLinesOf(asked), expected);
      else
        assert.match(
          reasonOf(() => tailLinesOf(asked)),
          new RegExp(`^${expected}: `),
        );
    });
  }

  it('keeps the last lines, oldest first, and says when some were left out', () => {
    assert.deepEqual(tailOf('one\ntwo\nthree\n', 2), { lines: ['two', 'three'], truncated: true });
    assert.deepEqual(tailOf('one\ntwo\n', 2), { lines: ['one', 'two'], truncated: false });
    assert.deepEqual(tailOf('', 2), { lines: [], truncated: false });
    assert.equal(tailOf('x'.repeat(LIMIT_BYTES), 2).truncated, true, 'a log cut at LIMIT_BYTES is truncated');
  });
});
