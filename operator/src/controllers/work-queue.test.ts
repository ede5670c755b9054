import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkQueue, type Requeue } from './work-queue.ts';

const done: Requeue = { kind: 'done' };

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

/** A queue whose handler holds each key until the test releases it. */
function heldQueue(concurrency: number) {
  const release = new Map<string, () => void>();
  const q = new WorkQueue(
    (key) =>
      new Promise<Requeue>((resolve) => {
        release.set(key, () => resolve(done));
      }),
    { concurrency },
  );
  return { q, release };
}

describe('WorkQueue', () => {
  it('handles a key added many times while waiting once', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => (seen.push(k), done));
    for (let i = 0; i < 5; i++) q.add('a');
    q.add('b');
    q.start();
    await q.idle();
    assert.deepEqual(seen, ['a', 'b']);
    await q.stop();
  });

  it('takes the low lane only when nothing else waits; a key added normally moves up', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(
      async (k) => {
        seen.push(k);
        // A key added while the low lane is being worked (a sync's next step) goes ahead of the rest of it.
        if (k === 'x') q.add('b');
        return done;
      },
      { concurrency: 1 },
    );
    for (const k of ['x', 'y', 'z']) q.add(k, 'low');
    q.add('a');
    q.add('z');
    q.start();
    await q.idle();
    assert.deepEqual(seen, ['a', 'z', 'x', 'b', 'y']);
    await q.stop();
  });

  it('does not start the low lane while a normal key is being handled, workers free or not', async () => {
    const events: string[] = [];
    const q = new WorkQueue(
      async (k) => {
        events.push(`start ${k}`);
        if (k === 'a') await sleep(30);
        events.push(`end ${k}`);
        return done;
      },
      { concurrency: 4 },
    );
    q.add('x', 'low');
    q.add('a');
    q.start();
    await q.idle();
    assert.deepEqual(events, ['start a', 'end a', 'start x', 'end x']);
    await q.stop();
  });

  it('never handles one key twice at once, and runs it again when added meanwhile', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const q = new WorkQueue(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await sleep(30);
        active--;
        return done;
      },
      { concurrency: 4 },
    );
    q.start();
    q.add('a');
    await sleep(5);
    q.add('a');
    q.add('a');
    await until(() => runs === 2 && active === 0);
    await q.idle();
    assert.equal(maxActive, 1);
    assert.equal(runs, 2, 'adds during handling collapse into one more run');
    await q.stop();
  });

  it('brings a key whose work is under way back ahead of the keys not begun, however many wait', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(
      async (k) => {
        seen.push(k);
        if (k.startsWith('new-')) await sleep(20);
        // The first step of a's sync: its next step comes back high after 10 ms.
        return k === 'a' && seen.filter((s) => s === 'a').length === 1
          ? { kind: 'after', delayMs: 10, lane: 'high' }
          : done;
      },
      { concurrency: 1 },
    );
    q.add('a');
    q.start();
    await until(() => seen.length === 1);
    for (let i = 0; i < 5; i++) q.add(`new-${i}`);
    // A watch event (a's Deployment) adds a normally before its timer: it still goes high.
    await sleep(2);
    q.add('a');
    await q.idle();
    assert.equal(seen.indexOf('a', 1), 2, `a's next step right after the first new key: ${seen.join(' ')}`);
    await q.stop();
  });

  it('leaves one worker to the normal lane while it waits, and gives high all of them when it does not', async () => {
    const { q, release } = heldQueue(3);
    for (const k of ['h1', 'h2', 'h3', 'h4']) q.add(k, 'high');
    q.add('n1');
    q.start();
    await until(() => release.size === 3);
    assert.deepEqual([...release.keys()], ['h1', 'h2', 'n1']);
    release.get('n1')!();
    await until(() => release.size === 4);
    assert.deepEqual([...release.keys()], ['h1', 'h2', 'n1', 'h3'], 'no normal key waits: high takes the third worker');
    for (const k of ['h1', 'h2', 'h3']) release.get(k)!();
    await until(() => release.has('h4'));
    release.get('h4')!();
    await q.idle();
    await q.stop();
  });

  it('a periodic requeue pending in the normal lane does not lift a low add', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => (seen.push(k), done), { concurrency: 1 });
    q.addAfter('x', 60_000);
    q.add('x', 'low');
    q.add('a');
    q.start();
    await q.idle();
    assert.deepEqual(seen, ['a', 'x']);
    await q.stop();
  });

  it('handles at most `concurrency` keys at once', async () => {
    let active = 0;
    let maxActive = 0;
    const q = new WorkQueue(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(20);
        active--;
        return done;
      },
      { concurrency: 2 },
    );
    for (const k of ['a', 'b', 'c', 'd', 'e']) q.add(k);
    q.start();
    await q.idle();
    assert.equal(maxActive, 2);
    await q.stop();
  });

  it('retries a failing key with a doubling delay and forgets it after a success', async () => {
    const at: number[] = [];
    let calls = 0;
    const q = new WorkQueue(
      async () => {
        at.push(Date.now());
        if (++calls <= 3) throw new Error('transient');
        return done;
      },
      { baseDelayMs: 20, onError: () => undefined },
    );
    q.start();
    q.add('a');
    await until(() => calls === 4);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    assert.ok(gaps[0]! >= 18 && gaps[1]! >= 38 && gaps[2]! >= 78, `gaps ${gaps.join(',')}`);
    assert.equal(q.addRateLimited('a'), 20, 'a success resets the backoff');
    await q.stop();
  });

  it('requeues a key after the delay it asked for, and an earlier delay wins', async () => {
    let calls = 0;
    const q = new WorkQueue(async () => (++calls === 1 ? { kind: 'after', delayMs: 40 } : done));
    q.start();
    const t0 = Date.now();
    q.add('a');
    await until(() => calls === 2);
    assert.ok(Date.now() - t0 >= 38);
    q.addAfter('b', 1000);
    q.addAfter('b', 10);
    await until(() => calls === 3, 500);
    await q.stop();
  });

  it('forgets a removed key: no pending timer brings it back', async () => {
    let calls = 0;
    const q = new WorkQueue(async () => (calls++, done));
    q.start();
    q.addAfter('a', 20);
    q.remove('a');
    await sleep(60);
    assert.equal(calls, 0);
    await q.stop();
  });

  it('stop waits for the keys being handled and takes no more', async () => {
    let finished = 0;
    const q = new WorkQueue(
      async () => {
        await sleep(30);
        finished++;
        return done;
      },
      { concurrency: 1 },
    );
    q.add('a');
    q.add('b');
    q.start();
    await sleep(5);
    await q.stop();
    assert.equal(finished, 1);
  });

  it('settled waits for the matching keys being handled, not for the others', async () => {
    const { q, release } = heldQueue(3);
    for (const key of ['a/1', 'a/2', 'b/1']) q.add(key);
    q.start();
    await until(() => release.size === 3);
    let settled = false;
    const waiting = q.settled((key) => key.startsWith('a/')).then(() => (settled = true));
    release.get('a/1')!();
    release.get('b/1')!();
    await sleep(10);
    assert.equal(settled, false, 'a/2 is still being handled');
    release.get('a/2')!();
    await waiting;
    await q.settled((key) => key.startsWith('c/'));
    await q.stop();
  });
});
