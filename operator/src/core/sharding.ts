// Sharding (ADR 0023): which shard an object belongs to, and which replica holds which
// shard. Two levels, so neither moves more than it must: an object's shard is a stable hash of
// its namespace/name over a fixed number of shards, never a function of the replicas; shards go
// to the live replicas by rendezvous hashing with bounded loads, so no replica holds more than a
// quarter over its share and a replica joining or leaving moves about 1/N of the shards.
import { createHash } from 'node:crypto';

/** Thrown by a write of a replica that no longer holds the shard of the object it writes for. */
export class FencedError extends Error {
  readonly shard: number;
  constructor(shard: number, key: string) {
    super(`shard ${shard} (of ${key}) is no longer held by this replica; the write was not sent`);
    this.name = 'FencedError';
    this.shard = shard;
  }
}

/** The first 32 bits of SHA-256: well spread over similar names, the same in every replica and release. */
function hash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

/** The shard of `namespace/name`: the same in every replica, whatever the replicas. */
export function shardOf(namespace: string, name: string, shards: number): number {
  return hash32(`${namespace}/${name}`) % shards;
}

/** The most shards one member holds: the even share, rounded up. */
export function shardCapacity(shards: number, members: number): number {
  return Math.ceil(shards / members);
}

/**
 * Which member holds each shard. A live holder keeps its shards up to the even share rounded
 * down, the ones it ranks highest; every other shard goes, in order, to the member that ranks it
 * highest (a hash of shard and member: rendezvous hashing) among those below that share, or once
 * all are there, back to its holder or to the best-ranked member with room for one more. So a
 * member joining takes only what the others hold over their new share, about 1/N, and a member
 * leaving moves only its own shards. Every replica computes the same answer from the same
 * members and holders, in any order.
 */
export function assignShards(
  members: readonly string[],
  shards: number,
  holders: ReadonlyMap<number, string> = new Map(),
): Map<number, string> {
  const assignment = new Map<number, string>();
  const live = [...new Set(members)].sort();
  if (live.length === 0) return assignment;
  const floor = Math.floor(shards / live.length);
  const capacity = shardCapacity(shards, live.length);
  const score = (shard: number, member: string) => hash32(`${shard}|${member}`);
  const load = new Map(live.map((m) => [m, 0]));
  for (const member of live) {
    const kept = [...holders]
      .filter(([shard, holder]) => holder === member && shard < shards)
      .map(([shard]) => shard)
      .sort((a, b) => score(b, member) - score(a, member) || a - b)
      .slice(0, floor);
    for (const shard of kept) assignment.set(shard, member);
    load.set(member, kept.length);
  }
  const best = (shard: number, room: number) =>
    live.filter((m) => load.get(m)! < room).sort((a, b) => score(shard, b) - score(shard, a) || (a < b ? -1 : 1))[0];
  for (let shard = 0; shard < shards; shard++) {
    if (assignment.has(shard)) continue;
    const holder = holders.get(shard);
    const keeps = holder !== undefined && load.has(holder) && load.get(holder)! < capacity;
    const chosen = best(shard, floor) ?? (keeps ? holder : best(shard, capacity))!;
    assignment.set(shard, chosen);
    load.set(chosen, load.get(chosen)! + 1);
  }
  return assignment;
}
