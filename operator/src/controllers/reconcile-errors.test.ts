import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideOutcome, StalledError, TransientError, WaitingError } from './reconcile-errors.ts';
import { findCondition, setCondition } from '../core/conditions.ts';

const ctx = { now: '2026-01-01T00:00:00Z', generation: 4 };
const base = { readyMessage: 'stored artifact main@sha1:abc', failureConditions: ['FetchFailed'], intervalMs: 60_000 };
const types = (o: ReturnType<typeof decideOutcome>) => o.conditions.map((c) => `${c.type}=${c.status}:${c.reason}`);

describe('decideOutcome', () => {
  it('success makes Ready True, clears failure conditions, and requeues at the interval', () => {
    const before = setCondition(
      [],
      { type: 'FetchFailed', status: 'True', reason: 'AuthenticationFailed', message: 'x' },
      ctx,
    );
    const o = decideOutcome(before, { ...base, error: undefined }, ctx);
    assert.deepEqual(types(o), ['Ready=True:Succeeded']);
    assert.equal(findCondition(o.conditions, 'Ready')?.message, base.readyMessage);
    assert.deepEqual(o.requeue, { kind: 'after', delayMs: 60_000 });
    assert.equal(o.result, 'success');
    assert.equal(o.failure, undefined);
  });

  it('a transient failure retries with backoff and shows Reconciling with the failure condition', () => {
    const o = decideOutcome(
      [],
      { ...base, error: new TransientError('HostUnreachable', 'cannot reach h', { condition: 'FetchFailed' }) },
      ctx,
    );
    assert.deepEqual(types(o), [
      'Ready=False:HostUnreachable',
      'Reconciling=True:ProgressingWithRetry',
      'FetchFailed=True:HostUnreachable',
    ]);
    assert.deepEqual(o.requeue, { kind: 'backoff' });
    assert.deepEqual(o.failure, { reason: 'HostUnreachable', message: 'cannot reach h' });
  });

  it('a stall sets Stalled, drops Reconciling, and only polls at the interval', () => {
    const o = decideOutcome([], { ...base, error: new StalledError('InvalidRef', 'fix spec.ref') }, ctx);
    assert.deepEqual(types(o), ['Ready=False:InvalidRef', 'Stalled=True:InvalidRef']);
    assert.deepEqual(o.requeue, { kind: 'after', delayMs: 60_000 });
    assert.equal(o.result, 'stalled');
  });

  it('waiting requeues after its own delay and keeps Reconciling True', () => {
    const o = decideOutcome(
      [],
      { ...base, error: new WaitingError('SecretNotFound', 'waiting for secret', 5000) },
      ctx,
    );
    assert.deepEqual(types(o), ['Ready=False:SecretNotFound', 'Reconciling=True:SecretNotFound']);
    assert.deepEqual(o.requeue, { kind: 'after', delayMs: 5000 });
  });

  it('an unknown error is transient with reason InternalError', () => {
    const o = decideOutcome([], { ...base, error: new Error('boom') }, ctx);
    assert.equal(o.result, 'transient');
    assert.equal(findCondition(o.conditions, 'Ready')?.reason, 'InternalError');
  });

  it('a failure removes failure conditions it does not set', () => {
    const before = setCondition(
      [],
      { type: 'FetchFailed', status: 'True', reason: 'AuthenticationFailed', message: 'x' },
      ctx,
    );
    const o = decideOutcome(before, { ...base, error: new StalledError('InvalidRef', 'fix spec.ref') }, ctx);
    assert.equal(findCondition(o.conditions, 'FetchFailed'), undefined);
  });
});
