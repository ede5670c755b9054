import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResultCache } from './result-cache.ts';

describe('ResultCache', () => {
  it('computes once per key, keeps at most max entries, least recently used out first', async () => {
    const cache = new ResultCache<number>(2);
    let calls = 0;
    const compute = (v: number) => async () => (calls++, v);
    assert.equal(await cache.get('a', true, compute(1)), 1);
    assert.equal(await cache.get('a', true, compute(9)), 1);
    await cache.get('b', true, compute(2));
    await cache.get('a', true, compute(9));
    await cache.get('c', true, compute(3));
    assert.equal(cache.size, 2);
    assert.equal(await cache.get('b', true, compute(4)), 4, 'b was the least recently used');
    assert.equal(calls, 4);
  });

  it('follows a bound that grows with the fleet', async () => {
    let max = 2;
    const cache = new ResultCache<number>(() => max);
    for (const k of ['a', 'b', 'c']) await cache.get(k, true, async () => 1);
    assert.equal(cache.size, 2);
    max = 4;
    for (const k of ['d', 'e', 'f']) await cache.get(k, true, async () => 1);
    assert.equal(cache.size, 4);
  });

  it('does not keep failures or uncacheable results', async () => {
    const cache = new ResultCache<number>(8);
    await assert.rejects(
      cache.get('x', true, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    await new Promise((r) => setImmediate(r));
    assert.equal(await cache.get('x', true, async () => 5), 5);
    assert.equal(await cache.get('y', false, async () => 6), 6);
    assert.equal(cache.size, 1);
  });
});
