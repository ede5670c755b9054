import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findCondition, removeCondition, setCondition, type Condition } from './conditions.ts';

const t1 = '2026-01-01T00:00:00Z';
const t2 = '2026-01-01T00:05:00Z';

describe('setCondition', () => {
  it('adds a condition with the time and generation of this reconcile', () => {
    const got = setCondition(
      [],
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok' },
      { now: t1, generation: 3 },
    );
    assert.deepEqual(got, [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Succeeded',
        message: 'ok',
        lastTransitionTime: t1,
        observedGeneration: 3,
      },
    ]);
  });

  it('keeps the transition time when only the reason or message changes', () => {
    const a = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'FetchFailed', message: 'a' },
      { now: t1, generation: 1 },
    );
    const b = setCondition(
      a,
      { type: 'Ready', status: 'False', reason: 'AuthenticationFailed', message: 'b' },
      { now: t2, generation: 2 },
    );
    assert.equal(findCondition(b, 'Ready')?.lastTransitionTime, t1);
    assert.equal(findCondition(b, 'Ready')?.observedGeneration, 2);
    assert.equal(findCondition(b, 'Ready')?.reason, 'AuthenticationFailed');
  });

  it('moves the transition time when the status changes', () => {
    const a = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'FetchFailed', message: 'a' },
      { now: t1, generation: 1 },
    );
    const b = setCondition(
      a,
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'b' },
      { now: t2, generation: 1 },
    );
    assert.equal(findCondition(b, 'Ready')?.lastTransitionTime, t2);
  });

  for (const type of ['Reconciling', 'Stalled']) {
    it(`removes ${type} instead of setting it False or Unknown`, () => {
      const a = setCondition(
        [],
        { type, status: 'True', reason: 'Progressing', message: 'x' },
        { now: t1, generation: 1 },
      );
      assert.equal(a.length, 1);
      assert.deepEqual(
        setCondition(a, { type, status: 'False', reason: 'Done', message: '' }, { now: t2, generation: 1 }),
        [],
      );
      assert.deepEqual(
        setCondition(a, { type, status: 'Unknown', reason: 'Done', message: '' }, { now: t2, generation: 1 }),
        [],
      );
    });
  }

  it('keeps other condition types False (FetchFailed is not kstatus-special)', () => {
    const got = setCondition(
      [],
      { type: 'FetchFailed', status: 'False', reason: 'Succeeded', message: '' },
      { now: t1, generation: 1 },
    );
    assert.equal(got.length, 1);
  });

  it('rejects reasons that are not PascalCase', () => {
    assert.throws(
      () =>
        setCondition(
          [],
          { type: 'Ready', status: 'True', reason: 'fetch failed', message: '' },
          { now: t1, generation: 1 },
        ),
      /PascalCase/,
    );
  });

  it('orders Ready, Reconciling, Stalled, then the rest by type', () => {
    let list: Condition[] = [];
    for (const type of ['FetchFailed', 'Stalled', 'Ready', 'Reconciling', 'ArtifactInStorage']) {
      list = setCondition(list, { type, status: 'True', reason: 'X', message: '' }, { now: t1, generation: 1 });
    }
    assert.deepEqual(
      list.map((c) => c.type),
      ['Ready', 'Reconciling', 'Stalled', 'ArtifactInStorage', 'FetchFailed'],
    );
    assert.deepEqual(
      removeCondition(list, 'Stalled').map((c) => c.type),
      ['Ready', 'Reconciling', 'ArtifactInStorage', 'FetchFailed'],
    );
  });
});
