import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideAfterAttempt,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  TokenBucket,
  type AttemptResult,
} from './delivery-policy.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const policy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

describe('retry decisions', () => {
  const cases: { name: string; result: AttemptResult; attempt: number; want: string }[] = [
    { name: '2xx is delivered', result: { kind: 'answered', status: 202 }, attempt: 1, want: 'delivered' },
    {
      name: 'a 200 with a refusal is given up',
      result: { kind: 'answered', status: 200, refusal: 'invalid_auth' },
      attempt: 1,
      want: 'give-up',
    },
    {
      name: '429 honours Retry-After seconds',
      result: { kind: 'answered', status: 429, retryAfter: '3' },
      attempt: 1,
      want: 'retry 3000',
    },
    {
      name: '429 honours an HTTP-date Retry-After',
      result: { kind: 'answered', status: 429, retryAfter: 'Thu, 01 Jan 2026 00:00:07 GMT' },
      attempt: 1,
      want: 'retry 7000',
    },
    {
      name: '429 without Retry-After backs off',
      result: { kind: 'answered', status: 429 },
      attempt: 2,
      want: 'retry 2000',
    },
    {
      name: 'a Retry-After past the maximum is capped',
      result: { kind: 'answered', status: 429, retryAfter: '3600' },
      attempt: 1,
      want: 'retry 30000',
    },
    { name: '5xx backs off exponentially', result: { kind: 'answered', status: 503 }, attempt: 3, want: 'retry 4000' },
    {
      name: 'no answer backs off',
      result: { kind: 'unanswered', error: 'no answer (ECONNREFUSED)' },
      attempt: 1,
      want: 'retry 1000',
    },
    { name: 'the last attempt gives up', result: { kind: 'answered', status: 500 }, attempt: 4, want: 'give-up' },
    { name: '4xx is not retried', result: { kind: 'answered', status: 401 }, attempt: 1, want: 'give-up' },
  ];
  for (const c of cases)
    it(c.name, () => {
      const d = decideAfterAttempt(c.result, c.attempt, NOW, policy);
      assert.equal(d.kind === 'retry' ? `retry ${d.delayMs}` : d.kind, c.want);
    });

  it('reads no Retry-After from nonsense', () => assert.equal(parseRetryAfter('soon', NOW), undefined));
  it('gives up after eight attempts by default', () => assert.equal(DEFAULT_RETRY_POLICY.maxAttempts, 8));
});

describe('rate limit', () => {
  it('lets a burst through, then one message per interval', () => {
    const bucket = new TokenBucket({ burst: 2, intervalMs: 1000 });
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [0, 0, 1000, 2000]);
    assert.equal(bucket.take(10_000), 0);
  });
});
