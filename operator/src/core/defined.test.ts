import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defined } from './defined.ts';

describe('defined', () => {
  it('drops undefined properties and keeps every other value, falsy ones too', () => {
    const o = defined({ a: 1, b: undefined, c: '', d: 0, e: false, f: null, g: { h: undefined } });
    assert.deepEqual(o, { a: 1, c: '', d: 0, e: false, f: null, g: { h: undefined } });
    assert.equal('b' in o, false);
    assert.deepEqual(Object.keys(o), ['a', 'c', 'd', 'e', 'f', 'g']);
  });

  it('returns a new object and leaves its argument alone', () => {
    const input = { a: 1, b: undefined as number | undefined };
    const o = defined(input);
    assert.notEqual(o, input);
    assert.deepEqual(input, { a: 1, b: undefined });
    assert.deepEqual({ b: 2, ...o }, { b: 2, a: 1 }, 'a spread keeps the defaults it does not name');
  });

  it('types a property that may be undefined as optional', () => {
    const o: { a: number; b?: string } = defined({ a: 1, b: undefined as string | undefined });
    assert.equal(o.b, undefined);
  });
});
