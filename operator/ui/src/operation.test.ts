import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupTasks, progress, taskTarget, waitingFor } from './operation.ts';
import type { Operation, OperationTask } from './types.ts';

const task = (key: string, phase: string, wave: number, status: OperationTask['status'], message?: string) => ({
  key,
  phase,
  wave,
  status,
  ...(message ? { message } : {}),
});

const op = (tasks: OperationTask[], extra: Partial<Operation> = {}): Operation => ({
  id: 'op-1',
  phase: 'Running',
  revision: 'main@sha1:' + 'a'.repeat(40),
  startedAt: '2026-12-02T10:00:00Z',
  validated: true,
  tasks,
  ...extra,
});

test('the target of a task: kind and name from its key, a hook by its hook name', () => {
  assert.equal(taskTarget(task('apps/Deployment/shop/api', 'Sync', 0, 'Running')), 'Deployment api');
  assert.equal(taskTarget(task('/Service/shop/web', 'Sync', 0, 'Running')), 'Service web');
  assert.equal(
    taskTarget(task('rbac.authorization.k8s.io/ClusterRole//reader', 'Sync', 0, 'Running')),
    'ClusterRole reader',
  );
  assert.equal(
    taskTarget({ ...task('batch/Job/shop/migrate', 'PreSync', 0, 'Running'), hookName: 'migrate-op1' }),
    'Job migrate-op1',
  );
});

test('the sentence names the wave and the running tasks with their messages', () => {
  const operation = op([
    task('/ConfigMap/shop/config', 'Sync', 1, 'Succeeded'),
    task('apps/Deployment/shop/api', 'Sync', 2, 'Running', 'Progressing — 2 of 3 replicas ready'),
    task('apps/Deployment/shop/web', 'Sync', 3, 'Pending'),
  ]);
  assert.equal(waitingFor(operation), 'wave 2 waits for Deployment api: Progressing — 2 of 3 replicas ready');
});

test('hooks name their phase; many tasks are counted, not all named', () => {
  const hooks = op([task('batch/Job/shop/migrate', 'PreSync', 0, 'Running', 'Job running: 0 of 1 succeeded')]);
  assert.equal(waitingFor(hooks), 'PreSync wave 0 waits for Job migrate: Job running: 0 of 1 succeeded');
  const many = op(['a', 'b', 'c', 'd', 'e'].map((n) => task(`apps/Deployment/shop/${n}`, 'Sync', 0, 'Running')));
  assert.equal(
    waitingFor(many),
    'wave 0 waits for Deployment a: running; Deployment b: running; Deployment c: running and 2 more',
  );
});

test('before any task runs: the dry run, or the next task; nothing once finished', () => {
  assert.equal(waitingFor(op([], { validated: false })), 'waits for the server-side dry run of every object');
  assert.equal(
    waitingFor(op([task('apps/Deployment/shop/api', 'Sync', 0, 'Pending')])),
    'wave 0 is about to start (Deployment api)',
  );
  assert.equal(waitingFor(op([], { phase: 'Succeeded' })), undefined);
  assert.equal(waitingFor(undefined), undefined);
});

test('tasks group by phase in plan order, waves ascending', () => {
  const groups = groupTasks([
    task('batch/Job/shop/pre', 'PreSync', 0, 'Succeeded'),
    task('apps/Deployment/shop/b', 'Sync', 2, 'Pending'),
    task('apps/Deployment/shop/a', 'Sync', 1, 'Running'),
    task('apps/Deployment/shop/c', 'Sync', 2, 'Pending'),
    task('batch/Job/shop/post', 'PostSync', 0, 'Pending'),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.phase, g.waves.map((w) => [w.wave, w.tasks.length])]),
    [
      ['PreSync', [[0, 1]]],
      [
        'Sync',
        [
          [1, 1],
          [2, 2],
        ],
      ],
      ['PostSync', [[0, 1]]],
    ],
  );
});

test('progress counts done, running and failed tasks', () => {
  assert.equal(
    progress([
      task('a', 'Sync', 0, 'Succeeded'),
      task('b', 'Sync', 0, 'Skipped'),
      task('c', 'Sync', 0, 'Running'),
      task('d', 'Sync', 0, 'Failed'),
    ]),
    '2 of 4 done, 1 running, 1 failed',
  );
});
