// The delivery loop driven with a scripted provider and a fake clock: what it sends, how long
// it waits between attempts, and when it stops.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UnansweredError, type SentAnswer } from '../../adapters/notify/http-sender.ts';
import type { DeliveryStep, HttpRequest } from '../../core/notify/providers.ts';
import { deliver } from './delivery.ts';

function script(answers: (SentAnswer | 'unanswered')[]) {
  const sent: HttpRequest[] = [];
  const waits: number[] = [];
  let now = 0;
  return {
    sent,
    waits,
    options: {
      send: async (r: HttpRequest) => {
        sent.push(r);
        const a = answers.shift() ?? { status: 200, body: {} };
        if (a === 'unanswered') throw new UnansweredError('no answer (ECONNREFUSED)');
        return a;
      },
      now: () => now,
      sleep: async (ms: number) => void (waits.push(ms), (now += ms)),
      policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000 },
    },
  };
}
const request: HttpRequest = { method: 'POST', url: 'http://x/hook', headers: {}, body: '{}' };

describe('delivery', () => {
  it('a 429 waits its Retry-After, a 503 backs off, then it is delivered', async () => {
    const s = script([
      { status: 429, retryAfter: '2', body: '' },
      { status: 503, body: '' },
      { status: 200, body: '' },
    ]);
    const out = await deliver('webhook', { request }, s.options);
    assert.deepEqual(out, { delivered: true, attempts: 3 });
    assert.deepEqual(s.waits, [2000, 200]);
  });

  it("Telegram's retry_after in the body is honoured", async () => {
    const s = script([{ status: 429, body: { ok: false, parameters: { retry_after: 1 } } }]);
    await deliver('telegram', { request }, s.options);
    assert.deepEqual(s.waits, [1000]);
  });

  it('gives up after the last attempt, saying why', async () => {
    const s = script(['unanswered', 'unanswered', 'unanswered']);
    const out = await deliver('webhook', { request }, s.options);
    assert.equal(out.delivered, false);
    assert.match(out.why!, /ECONNREFUSED\) \(gave up after 3 attempts\)/);
  });

  it('a Slack 200 with ok: false is a refusal, not retried', async () => {
    const s = script([{ status: 200, body: { ok: false, error: 'invalid_auth' } }]);
    const out = await deliver('slack', { request }, s.options);
    assert.deepEqual(out, { delivered: false, attempts: 1, why: 'slack refused the message: invalid_auth' });
  });

  it('a two-step delivery sends the second request from the first answer', async () => {
    const s = script([
      { status: 201, body: { id: 9 } },
      { status: 201, body: {} },
    ]);
    const second: HttpRequest = { ...request, url: 'http://x/9' };
    await deliver(
      'githubDeployment',
      { request, next: (a) => ((a as { id: number }).id === 9 ? { request: second } : undefined) },
      s.options,
    );
    assert.deepEqual(
      s.sent.map((r) => r.url),
      ['http://x/hook', 'http://x/9'],
    );
  });

  it('a create whose answer was lost is looked for before it is sent again: no second one', async () => {
    const s = script([
      { status: 200, body: [] },
      { status: 502, body: '' },
      { status: 200, body: [{ id: 4 }] },
      { status: 201, body: {} },
    ]);
    const lookup: DeliveryStep = {
      request: { method: 'GET', url: 'http://x/list', headers: {} },
      next: (a) => ((a as { id: number }[])[0] ? { request: { ...request, url: 'http://x/4' } } : create),
    };
    const create: DeliveryStep = { request, next: () => undefined, again: lookup };
    const out = await deliver('githubDeployment', lookup, s.options);
    assert.deepEqual(out, { delivered: true, attempts: 4 });
    assert.deepEqual(
      s.sent.map((r) => r.url),
      ['http://x/list', 'http://x/hook', 'http://x/list', 'http://x/4'],
    );
  });

  it('a stop during the wait leaves the message undelivered and not handled', async () => {
    let stopped = false;
    const s = script([{ status: 500, body: '' }]);
    const out = await deliver(
      'webhook',
      { request },
      { ...s.options, sleep: async () => void (stopped = true), stopped: () => stopped },
    );
    assert.equal(out.interrupted, true);
  });
});
