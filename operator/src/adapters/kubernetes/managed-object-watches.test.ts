import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WatchedShards } from './managed-object-watches.ts';

describe('WatchedShards', () => {
  const following = (shards: WatchedShards) => {
    const seen: (string | undefined)[] = [];
    shards.follow(async () => void seen.push(shards.selector()));
    return seen;
  };

  it('selects the shards held, in order, and tells its followers of each change', async () => {
    const shards = new WatchedShards();
    const seen = following(shards);
    assert.equal(shards.selector(), undefined, 'none held: nothing to select');
    await shards.add(3);
    await shards.add(0);
    await shards.add(3);
    await shards.remove(3);
    assert.deepEqual(seen, ['keelson.dev/shard in (3)', 'keelson.dev/shard in (0,3)', 'keelson.dev/shard in (0)']);
  });

  it('keeps a shard gone for keepMs, and a shard taken again within it costs no change', async () => {
    const shards = new WatchedShards({ keepMs: 50 });
    const seen = following(shards);
    await shards.add(1);
    await shards.add(2);
    const leaving = shards.remove(1);
    await shards.add(1);
    await leaving; // settles when taken again
    await sleep(80);
    assert.deepEqual(seen, ['keelson.dev/shard in (1)', 'keelson.dev/shard in (1,2)'], 'taken again: no list');
    assert.equal(shards.selector(), 'keelson.dev/shard in (1,2)');
    await shards.remove(2);
    assert.deepEqual(seen.at(-1), 'keelson.dev/shard in (1)');
  });
});
