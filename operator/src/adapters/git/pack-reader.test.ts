import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyDelta } from './pack-reader.ts';

/** A git delta: base size, result size, then copy and insert instructions. */
function delta(baseSize: number, resultSize: number, ops: number[]): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n > 0) byte |= 0x80;
      out.push(byte);
    } while (n > 0);
    return out;
  };
  return Buffer.from([...varint(baseSize), ...varint(resultSize), ...ops]);
}

describe('applyDelta', () => {
  const base = Buffer.from('hello, world of git objects');
  it('copies ranges of the base and inserts new bytes in order', () => {
    // copy offset 0 size 7 ("hello, "), insert "keelson", copy offset 12 size 15 (" of git objects")
    const d = delta(base.length, 29, [0x90, 7, 7, ...Buffer.from('keelson'), 0x91, 12, 15]);
    assert.equal(applyDelta(base, d).toString(), 'hello, keelson of git objects');
  });

  it('refuses a delta made for another base', () => {
    assert.throws(() => applyDelta(base, delta(3, 1, [1, 0x41])), /does not fit its base/);
  });

  it('refuses a delta whose result has another size than it announced', () => {
    assert.throws(() => applyDelta(base, delta(base.length, 5, [1, 0x41])), /wrong size/);
  });
});
