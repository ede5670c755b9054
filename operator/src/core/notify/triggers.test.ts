import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentStatus } from '../../api/v1alpha1/environment.ts';
import { NOTIFICATION_TRIGGERS, type NotificationTrigger } from '../../api/v1alpha1/notification.ts';
import { currentEvents, markHandled, planNotifications, type EnvironmentView } from './triggers.ts';

const REV1 = `main@sha1:${'1'.repeat(40)}`;
const REV2 = `main@sha1:${'2'.repeat(40)}`;
const at = (m: number) => `2026-01-01T00:${String(m).padStart(2, '0')}:00Z`;
const cond = (type: string, status: 'True' | 'False', reason: string, m = 0, message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: at(m),
});
const all = new Set<NotificationTrigger>(NOTIFICATION_TRIGGERS);

function view(status: EnvironmentStatus, extra: Partial<EnvironmentView> = {}): EnvironmentView {
  return { namespace: 'shop', name: 'dev', automated: true, status, ...extra };
}

const succeeded = (id: string, revision = REV2) => ({
  id,
  phase: 'Succeeded' as const,
  revision,
  startedAt: at(1),
  initiatedBy: { automated: true },
});

describe('trigger detection', () => {
  const cases: { name: string; env: EnvironmentView; want: string[] }[] = [
    {
      name: 'a succeeded operation is SyncSucceeded, keyed by its id',
      env: view({ operation: succeeded('op1') }),
      want: ['SyncSucceeded/op1'],
    },
    {
      name: 'a self-heal tells nothing',
      env: view({ operation: { ...succeeded('op1'), selfHeal: true } }),
      want: [],
    },
    {
      name: 'a failed operation is SyncFailed naming the failing hook',
      env: view({
        operation: {
          ...succeeded('op2'),
          phase: 'Failed',
          tasks: [
            {
              key: 'batch/Job/shop/migrate',
              phase: 'PreSync',
              wave: 0,
              status: 'Failed',
              hookName: 'migrate-op2',
              message: 'Job failed',
            },
          ],
        },
      }),
      want: ['SyncFailed/op2'],
    },
    {
      name: 'Degraded health is HealthDegraded, keyed by the operation and the transition',
      env: view({
        health: { status: 'Degraded' },
        conditions: [cond('Healthy', 'False', 'Degraded', 5)],
        operation: succeeded('op1'),
      }),
      want: ['SyncSucceeded/op1', `HealthDegraded/op1/${at(5)}`],
    },
    {
      name: 'a manual Environment OutOfSync at a newer revision waits for a sync',
      env: view(
        { sync: { status: 'OutOfSync', revision: REV2 }, history: [{ id: 1, revision: REV1, deployedAt: at(0) }] },
        { automated: false },
      ),
      want: [`ManualSyncPending/${REV2}`],
    },
    {
      name: 'an automated one OutOfSync is not waiting for a person',
      env: view({
        sync: { status: 'OutOfSync', revision: REV2 },
        history: [{ id: 1, revision: REV1, deployedAt: at(0) }],
      }),
      want: [],
    },
    {
      name: 'a succeeded sync back to an earlier revision while paused by a rollback is RolledBack',
      env: view(
        {
          operation: { ...succeeded('op3', REV1), initiatedBy: { username: 'alice' } },
          history: [
            { id: 3, revision: REV1, deployedAt: at(3), operationId: 'op3' },
            { id: 2, revision: REV2, deployedAt: at(2), operationId: 'op2' },
          ],
        },
        { autoSyncPaused: 'rollback to history entry 1 by alice' },
      ),
      want: ['RolledBack/op3'],
    },
    {
      name: 'SourceReady or Synthesized False is SourceFailed, keyed by the reason and transition',
      env: view({ conditions: [cond('Synthesized', 'False', 'SynthesisFailed', 7, 'main.ts:3: boom')] }),
      want: [`SourceFailed/Synthesized/SynthesisFailed/${at(7)}`],
    },
    {
      name: "its GitRepository's fetch failing is SourceFailed, keyed by the repository and the outage",
      env: view(
        { sync: { status: 'Synced', revision: REV1 } },
        { sourceFailure: { repository: 'deploy', reason: 'FetchFailed', message: 'connection refused', since: at(8) } },
      ),
      want: [`SourceFailed/FetchFailed/deploy/${at(8)}`],
    },
  ];
  for (const c of cases)
    it(c.name, () =>
      assert.deepEqual(
        currentEvents(c.env).map((e) => e.key),
        c.want,
      ),
    );

  it('a failed sync says which step failed', () => {
    const [event] = currentEvents(cases[2]!.env);
    assert.equal(event!.detail, 'PreSync hook migrate-op2: Job failed');
  });

  it('a fetch failure says the repository, why, and which revision stays', () => {
    const [event] = currentEvents(cases.at(-1)!.env);
    assert.equal(event!.result, 'source unavailable');
    assert.equal(
      event!.detail,
      'FetchFailed: GitRepository deploy cannot be fetched: connection refused; ' +
        `${REV1} stays the last fetched revision`,
    );
  });
});

describe('planning what to send', () => {
  it('a first look sends nothing and remembers what was there', () => {
    const plan = planNotifications(view({ operation: succeeded('op1') }), undefined, all);
    assert.deepEqual(plan.send, []);
    assert.deepEqual(plan.record.seen, ['SyncSucceeded/op1']);
  });

  it('a new operation is sent once: its key handled, it is not sent again', () => {
    const first = planNotifications(view({ operation: succeeded('op1') }), undefined, all).record;
    const plan = planNotifications(view({ operation: succeeded('op2') }), first, all);
    assert.deepEqual(
      plan.send.map((e) => e.key),
      ['SyncSucceeded/op2'],
    );
    const after = markHandled(plan.record, plan.send[0]!);
    assert.deepEqual(planNotifications(view({ operation: succeeded('op2') }), after, all).send, []);
  });

  it('an unsubscribed trigger is marked handled silently', () => {
    const plan = planNotifications(
      view({ operation: succeeded('op2') }),
      { name: 'dev', seen: [] },
      new Set(['SyncFailed']),
    );
    assert.deepEqual(plan.send, []);
    assert.deepEqual(plan.record.seen, ['SyncSucceeded/op2']);
  });

  it('a recovery is told only after a degradation', () => {
    const healthy = view({ health: { status: 'Healthy' }, conditions: [cond('Healthy', 'True', 'Healthy', 9)] });
    assert.deepEqual(planNotifications(healthy, { name: 'dev', seen: [] }, all).send, []);
    const degraded = view({ health: { status: 'Degraded' }, conditions: [cond('Healthy', 'False', 'Degraded', 8)] });
    const plan = planNotifications(degraded, { name: 'dev', seen: [] }, all);
    const record = markHandled(plan.record, plan.send[0]!);
    assert.equal(record.degraded, true);
    const recovered = planNotifications(healthy, record, all);
    assert.deepEqual(
      recovered.send.map((e) => e.trigger),
      ['HealthRecovered'],
    );
    assert.equal(markHandled(recovered.record, recovered.send[0]!).degraded, undefined);
  });

  it('a degradation is told once until the next recovery, whatever operations run meanwhile', () => {
    const degraded = (op: string) =>
      view({
        health: { status: 'Degraded' },
        conditions: [cond('Healthy', 'False', 'Degraded', 8)],
        operation: { ...succeeded(op), phase: 'Running' },
      });
    const first = planNotifications(degraded('op1'), { name: 'dev', seen: [] }, all);
    const record = markHandled(first.record, first.send[0]!);
    assert.deepEqual(planNotifications(degraded('op2'), record, all).send, []);
  });
});
