import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConcurrencyLimit } from './concurrency-limit.ts';

describe('ConcurrencyLimit', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const limit = new ConcurrencyLimit(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        limit.run(async () => {
          started.push(i);
          peak = Math.max(peak, ++active);
          await sleep(10);
          active--;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(limit.active, 0);
  });

  it('frees the slot of a task that fails', async () => {
    const limit = new ConcurrencyLimit(1);
    await assert.rejects(
      limit.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await limit.run(async () => 'next'), 'next');
  });
});
