import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assignShards, FencedError, shardCapacity, shardOf } from './sharding.ts';

const loads = (assignment: Map<number, string>) => {
  const count = new Map<string, number>();
  for (const member of assignment.values()) count.set(member, (count.get(member) ?? 0) + 1);
  return count;
};
const moved = (a: Map<number, string>, b: Map<number, string>) => [...a].filter(([s, m]) => b.get(s) !== m).length;
const replicas = (n: number) => Array.from({ length: n }, (_, i) => `keelson-${i}`);

describe('shardOf', () => {
  it('is stable and spreads names evenly over the shards', () => {
    assert.equal(shardOf('team-a', 'dev', 16), shardOf('team-a', 'dev', 16));
    const counts = Array.from({ length: 16 }, () => 0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`team-${i % 40}`, `env-${i}`, 16)]!++;
    // 1,000 expected per shard; a uniform hash stays well within ±15 %.
    for (const c of counts) assert.ok(c > 850 && c < 1150, `a shard has ${c} of 16,000`);
  });
});

describe('assignShards', () => {
  it('gives every shard to one member, at most the even share rounded up each', () => {
    for (const [shards, n] of [
      [16, 1],
      [16, 3],
      [16, 4],
      [64, 5],
      [7, 9],
    ] as const) {
      const a = assignShards(replicas(n), shards);
      assert.equal(a.size, shards);
      for (const [member, count] of loads(a))
        assert.ok(count <= shardCapacity(shards, n), `${member} holds ${count} of ${shards} with ${n} members`);
      assert.equal(shardCapacity(16, 4), 4);
    }
  });

  it('is the same whatever order the members are listed in', () => {
    const members = replicas(5);
    assert.deepEqual(assignShards(members, 32), assignShards([...members].reverse(), 32));
  });

  it('moves about 1/N of the shards when a member joins, and only its own when one leaves', () => {
    // The replicas come one by one, each assignment made from the holders of the one before.
    let before = assignShards(replicas(1), 64);
    for (let n = 1; n <= 8; n++) {
      const after = assignShards(replicas(n + 1), 64, before);
      // The newcomer takes what the others hold over their new share: its own share, give or take rounding.
      const fair = 64 / (n + 1);
      const count = moved(before, after);
      assert.ok(count <= Math.ceil(fair) && count >= fair - n, `${n}→${n + 1}: ${count} of 64 moved`);
      const taken = loads(after).get(`keelson-${n}`)!;
      assert.ok(taken >= Math.floor(fair) && taken <= Math.ceil(fair), `the newcomer took ${taken}`);
      const left = assignShards(
        replicas(n + 1).filter((m) => m !== 'keelson-0'),
        64,
        new Map([...after].filter(([, m]) => m !== 'keelson-0')),
      );
      const owned = [...after.values()].filter((m) => m === 'keelson-0').length;
      assert.equal(moved(after, left), owned, `keelson-0 leaving ${n + 1}: only its shards moved`);
      before = after;
    }
  });

  it('takes no more than the share from a holder that has too many', () => {
    const all = new Map(Array.from({ length: 8 }, (_, s) => [s, 'keelson-0'] as const));
    const a = assignShards(replicas(2), 8, all);
    assert.deepEqual([...loads(a).values()].sort(), [4, 4]);
  });

  it('assigns nothing without members', () => {
    assert.equal(assignShards([], 8).size, 0);
  });
});

describe('FencedError', () => {
  it('names the shard and the object', () => {
    assert.match(new FencedError(3, 'team-a/dev').message, /shard 3 \(of team-a\/dev\) is no longer held/);
  });
});
