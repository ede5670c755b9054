import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, withJitter } from './duration.ts';

describe('parseDuration', () => {
  const cases: [string, number][] = [
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['1m0s', 60_000],
  ];
  for (const [text, ms] of cases) it(`reads ${text} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  for (const bad of ['', '5', 'five minutes', '1d', '1m x']) {
    it(`rejects "${bad}"`, () => assert.throws(() => parseDuration(bad), /is not a duration/));
  }
});

describe('withJitter', () => {
  it('stays within ±10% and spans the range', () => {
    assert.equal(withJitter(60_000, 0), 54_000);
    assert.equal(withJitter(60_000, 0.5), 60_000);
    assert.equal(withJitter(60_000, 0.999999), 66_000);
  });
});
