// Reads objects straight out of the pack files of one cache generation, kept in memory:
// index lookup by binary search, native zlib, delta chains resolved through a cache of
// recently inflated objects, trees parsed once. isomorphic-git's own reader lists the pack
// directory and probes for a loose file on every object, which makes reading thousands of
// blobs take seconds; this takes milliseconds. Objects are immutable, so nothing here is
// ever invalidated; packs added by later fetches are picked up on a miss.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface GitObject {
  readonly type: ObjectType;
  readonly data: Buffer;
}

export interface TreeItem {
  readonly name: string;
  readonly oid: string;
  readonly type: 'blob' | 'tree' | 'commit';
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;
const MAX_CACHED = 4096;

interface Pack {
  readonly name: string;
  readonly idx: Buffer;
  readonly pack: Buffer;
  readonly count: number;
  readonly cache: Map<number, GitObject>;
}

export class PackReader {
  readonly #dir: string;
  readonly #packs: Pack[] = [];
  readonly #trees = new Map<string, readonly TreeItem[]>();
  #loading: Promise<boolean> | undefined;

  constructor(gitdir: string) {
    this.#dir = join(gitdir, 'objects', 'pack');
  }

  /** The object, or undefined when no pack has it. */
  async read(oid: string): Promise<GitObject | undefined> {
    const found = this.#lookup(oid) ?? ((await this.#loadNewPacks()) ? this.#lookup(oid) : undefined);
    return found ? this.#readAt(found.pack, found.offset) : undefined;
  }

  /** The entries of a tree object (memoized). */
  async tree(oid: string): Promise<readonly TreeItem[] | undefined> {
    const memo = this.#trees.get(oid);
    if (memo) return memo;
    const obj = await this.read(oid);
    if (obj?.type !== 'tree') return undefined;
    const items = parseTree(obj.data);
    this.#trees.set(oid, items);
    return items;
  }

  /** The root tree of a commit. */
  async commitTree(oid: string): Promise<string | undefined> {
    const obj = await this.read(oid);
    if (obj?.type !== 'commit') return undefined;
    return /^tree ([0-9a-f]{40})/.exec(obj.data.toString('latin1', 0, 46))?.[1];
  }

  /** Loads packs added since the last look; concurrent callers share one look. */
  #loadNewPacks(): Promise<boolean> {
    this.#loading ??= this.#scan().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #scan(): Promise<boolean> {
    const names = (await readdir(this.#dir).catch(() => [] as string[])).filter((f) => f.endsWith('.idx'));
    let added = false;
    for (const name of names) {
      if (this.#packs.some((p) => p.name === name)) continue;
      const [idx, pack] = await Promise.all([
        readFile(join(this.#dir, name)).catch(() => undefined),
        readFile(join(this.#dir, name.replace(/\.idx$/, '.pack'))).catch(() => undefined),
      ]);
      // A fetch may be writing this pack right now: use it only once index and pack are
      // complete and belong together (the index ends with the pack's checksum).
      if (!idx || !pack || !isComplete(idx, pack)) continue;
      this.#packs.push({ name, idx, pack, count: idx.readUInt32BE(8 + 255 * 4), cache: new Map() });
      added = true;
    }
    return added;
  }

  #lookup(oid: string): { pack: Pack; offset: number } | undefined {
    const want = Buffer.from(oid, 'hex');
    for (const pack of this.#packs) {
      const { idx, count } = pack;
      const first = want[0]!;
      let lo = first === 0 ? 0 : idx.readUInt32BE(8 + (first - 1) * 4);
      let hi = idx.readUInt32BE(8 + first * 4);
      const shas = 8 + 256 * 4;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const cmp = idx.compare(want, 0, 20, shas + mid * 20, shas + mid * 20 + 20) * -1;
        if (cmp === 0) {
          const offsets = shas + count * 24;
          let offset = idx.readUInt32BE(offsets + mid * 4);
          if (offset & 0x80000000) {
            const large = offsets + count * 4 + (offset & 0x7fffffff) * 8;
            offset = Number(idx.readBigUInt64BE(large));
          }
          return { pack, offset };
        }
        if (cmp < 0) hi = mid;
        else lo = mid + 1;
      }
    }
    return undefined;
  }

  async #readAt(pack: Pack, start: number): Promise<GitObject> {
    const cached = pack.cache.get(start);
    if (cached) return cached;
    const buf = pack.pack;
    let pos = start;
    let byte = buf[pos++]!;
    const kind = (byte >> 4) & 7;
    while (byte & 0x80) byte = buf[pos++]!;
    let obj: GitObject;
    if (kind === OFS_DELTA) {
      byte = buf[pos++]!;
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        byte = buf[pos++]!;
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      const base = await this.#readAt(pack, start - distance);
      obj = { type: base.type, data: applyDelta(base.data, inflateSync(buf.subarray(pos))) };
    } else if (kind === REF_DELTA) {
      const baseOid = buf.toString('hex', pos, pos + 20);
      const base = await this.read(baseOid);
      if (!base) throw new Error(`delta base ${baseOid} is missing`);
      obj = { type: base.type, data: applyDelta(base.data, inflateSync(buf.subarray(pos + 20))) };
    } else {
      const type = TYPES[kind];
      if (!type) throw new Error(`unknown object type ${kind} at offset ${start}`);
      obj = { type, data: inflateSync(buf.subarray(pos)) };
    }
    if (pack.cache.size >= MAX_CACHED) pack.cache.delete(pack.cache.keys().next().value!);
    pack.cache.set(start, obj);
    return obj;
  }
}

function isComplete(idx: Buffer, pack: Buffer): boolean {
  if (idx.length < 8 + 1024 + 40 || pack.length < 32) return false;
  if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) return false;
  const count = idx.readUInt32BE(8 + 255 * 4);
  if (idx.length < 8 + 1024 + count * 28 + 40) return false;
  return idx.compare(pack, pack.length - 20, pack.length, idx.length - 40, idx.length - 20) === 0;
}

/** Applies a git delta to its base. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let pos = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = delta[pos++]!;
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  if (varint() !== base.length) throw new Error('delta does not fit its base');
  const out = Buffer.allocUnsafe(varint());
  let at = 0;
  while (pos < delta.length) {
    const op = delta[pos++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) offset |= delta[pos++]! << (8 * i);
      for (let i = 0; i < 3; i++) if (op & (0x10 << i)) size |= delta[pos++]! << (8 * i);
      if (size === 0) size = 0x10000;
      base.copy(out, at, offset >>> 0, (offset >>> 0) + size);
      at += size;
    } else if (op > 0) {
      delta.copy(out, at, pos, pos + op);
      at += op;
      pos += op;
    } else throw new Error('invalid delta opcode 0');
  }
  if (at !== out.length) throw new Error('delta result has the wrong size');
  return out;
}

function parseTree(data: Buffer): TreeItem[] {
  const items: TreeItem[] = [];
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space);
    const mode = data.toString('latin1', pos, space);
    const name = data.toString('utf8', space + 1, nul);
    const oid = data.toString('hex', nul + 1, nul + 21);
    items.push({ name, oid, type: mode === '40000' ? 'tree' : mode === '160000' ? 'commit' : 'blob' });
    pos = nul + 21;
  }
  return items;
}
