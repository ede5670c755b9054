import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reconcileKey, type ObjectEvent, type ReconcilerDefinition, type ReconcileStep } from './reconcile.ts';
import { TransientError } from './reconcile-errors.ts';
import type { Condition } from '../core/conditions.ts';

interface Thing {
  metadata: { generation: number; deletionTimestamp?: string };
  spec: { suspend?: boolean };
  status?: ThingStatus;
}
interface ThingStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  value?: string;
}

function definition(thing: Thing | undefined, steps: ReconcileStep<Thing, ThingStatus>[]) {
  const patched: ThingStatus[] = [];
  const events: ObjectEvent[] = [];
  const finalized: string[] = [];
  const results: string[] = [];
  const def: ReconcilerDefinition<Thing, ThingStatus> = {
    kind: 'Thing',
    load: async () => thing,
    finalize: async (key) => void finalized.push(key),
    isSuspended: (t) => t.spec.suspend === true,
    intervalMs: () => 60_000,
    steps,
    failureConditions: ['FetchFailed'],
    patchStatus: async (_t, s) => void patched.push(s),
    recordEvent: async (_t, e) => void events.push(e),
    observe: (s) => void results.push(s.result),
    clock: () => new Date('2026-01-01T00:00:00.123Z'),
    random: () => 0.5,
  };
  return { def, patched, events, finalized, results };
}

describe('reconcileKey', () => {
  it('runs the steps in order, patches status once with Ready and observedGeneration, and requeues at the interval', async () => {
    const order: string[] = [];
    const t = definition({ metadata: { generation: 2 }, spec: {} }, [
      async () => void order.push('a'),
      async (ctx) => {
        order.push('b');
        ctx.status.value = 'x';
        ctx.readyMessage = 'all good';
        ctx.events.push({ type: 'Normal', reason: 'NewArtifact', message: 'x' });
      },
    ]);
    const requeue = await reconcileKey(t.def, 'ns/a');
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(t.patched.length, 1);
    assert.equal(t.patched[0]!.value, 'x');
    assert.equal(t.patched[0]!.observedGeneration, 2);
    assert.deepEqual(
      t.patched[0]!.conditions?.map((c) => [c.type, c.status, c.message, c.lastTransitionTime]),
      [['Ready', 'True', 'all good', '2026-01-01T00:00:00Z']],
    );
    assert.deepEqual(requeue, { kind: 'after', delayMs: 60_000 });
    assert.deepEqual(
      t.events.map((e) => e.reason),
      ['NewArtifact'],
    );
    assert.deepEqual(t.results, ['success']);
  });

  it('comes back sooner in the lane a step asked for', async () => {
    const t = definition({ metadata: { generation: 2 }, spec: {} }, [
      async (ctx) => {
        ctx.requeueAfterMs = 400;
        ctx.requeueLane = 'high';
      },
    ]);
    assert.deepEqual(await reconcileKey(t.def, 'ns/a'), { kind: 'after', delayMs: 400, lane: 'high' });
  });

  it('writes no status when the reconcile changed nothing, and still requeues at the interval', async () => {
    const t = definition({ metadata: { generation: 2 }, spec: {} }, [
      async (ctx) => void (ctx.readyMessage = 'all good'),
    ]);
    await reconcileKey(t.def, 'ns/a');
    const settled = { metadata: { generation: 2 }, spec: {}, status: structuredClone(t.patched[0]!) };
    const again = definition(settled, [async (ctx) => void (ctx.readyMessage = 'all good')]);
    assert.deepEqual(await reconcileKey(again.def, 'ns/a'), { kind: 'after', delayMs: 60_000 });
    assert.equal(again.patched.length, 0, 'the same status is not written again');
    const changed = definition(settled, [async (ctx) => void (ctx.readyMessage = 'something new')]);
    await reconcileKey(changed.def, 'ns/a');
    assert.equal(changed.patched.length, 1);
  });

  it('stops at the first failing step, keeps what earlier steps wrote, and emits one Warning', async () => {
    let third = false;
    const t = definition({ metadata: { generation: 1 }, spec: {} }, [
      async (ctx) => void (ctx.status.value = 'kept'),
      async () => {
        throw new TransientError('HostUnreachable', 'cannot reach h', { condition: 'FetchFailed' });
      },
      async () => void (third = true),
    ]);
    const requeue = await reconcileKey(t.def, 'ns/a');
    assert.equal(third, false);
    assert.equal(t.patched[0]!.value, 'kept');
    assert.deepEqual(requeue, { kind: 'backoff' });
    assert.deepEqual(t.events, [{ type: 'Warning', reason: 'HostUnreachable', message: 'cannot reach h' }]);
    assert.deepEqual(t.results, ['transient']);
  });

  it('does not repeat a Warning that Ready already says', async () => {
    const ready: Condition = {
      type: 'Ready',
      status: 'False',
      reason: 'HostUnreachable',
      message: 'cannot reach h',
      lastTransitionTime: '2025-01-01T00:00:00Z',
    };
    const t = definition({ metadata: { generation: 1 }, spec: {}, status: { conditions: [ready] } }, [
      async () => {
        throw new TransientError('HostUnreachable', 'cannot reach h');
      },
    ]);
    await reconcileKey(t.def, 'ns/a');
    assert.deepEqual(t.events, []);
    assert.equal(t.patched[0]!.conditions?.[0]?.lastTransitionTime, '2025-01-01T00:00:00Z');
  });

  const skipped: { name: string; thing: Thing | undefined; finalized: boolean; result: string }[] = [
    { name: 'a deleted object is finalized and never patched', thing: undefined, finalized: true, result: 'deleted' },
    {
      name: 'an object being deleted is finalized and never patched',
      thing: { metadata: { generation: 1, deletionTimestamp: '2026-01-01T00:00:00Z' }, spec: {} },
      finalized: true,
      result: 'deleted',
    },
    {
      name: 'a suspended object runs no step and keeps its status',
      thing: { metadata: { generation: 1 }, spec: { suspend: true } },
      finalized: false,
      result: 'suspended',
    },
  ];
  for (const c of skipped) {
    it(c.name, async () => {
      let ran = false;
      const t = definition(c.thing, [async () => void (ran = true)]);
      assert.deepEqual(await reconcileKey(t.def, 'ns/a'), { kind: 'done' });
      assert.equal(ran, false);
      assert.equal(t.patched.length, 0);
      assert.deepEqual(t.finalized, c.finalized ? ['ns/a'] : []);
      assert.deepEqual(t.results, [c.result]);
    });
  }
});
