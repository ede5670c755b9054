// One object cache per repository URL, shared by every GitRepository with that URL: a bare
// git directory plus isomorphic-git's in-memory cache, kept warm in the operator process.
// Fetches into it are serialized and de-duplicated (two owners wanting the same commit
// cause one fetch). Cleanup works by generations: when a cache has too many packs or too
// many bytes (unreachable objects of force-pushes and old artifacts pile up, and
// isomorphic-git cannot repack), the next fetch goes into a fresh, shallow generation and
// the old one is deleted after a grace period, when no artifact reads from it any more.
import * as fs from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import git, { type HttpClient } from 'isomorphic-git';
import type { ObjectStore } from './artifact.ts';
import { PackReader } from './pack-reader.ts';

export interface FetchPlan {
  readonly http: HttpClient;
  readonly headers: Record<string, string>;
  /** The ref to fetch (`refs/heads/main`); undefined fetches every branch (for a bare commit). */
  readonly ref: string | undefined;
  /** The commit that must be present afterwards. */
  readonly commit: string;
  /** Shallow depth; undefined for the full history. */
  readonly depth: number | undefined;
}

export interface CompactionLimits {
  readonly maxPacks: number;
  readonly maxBytes: number;
}

interface Generation extends ObjectStore {
  readonly id: number;
}

export class RepositoryCache {
  readonly url: string;
  readonly dir: string;
  lastUsedAt = 0;
  #generation: Promise<Generation> | undefined;
  #next = 0;
  /** The commit fetched last into the current generation. */
  #latest: string | undefined;
  readonly #retired: { generation: Generation; at: number }[] = [];
  #lock: Promise<unknown> = Promise.resolve();
  readonly #inflight = new Map<string, Promise<boolean>>();

  constructor(url: string, dir: string) {
    this.url = url;
    this.dir = dir;
  }

  /** The generation new artifacts read from (created on first use). */
  store(): Promise<ObjectStore> {
    if (!this.#generation) {
      const id = this.#next++;
      const gitdir = join(this.dir, `gen-${id}`);
      this.#generation = (async () => {
        await rm(gitdir, { recursive: true, force: true });
        await mkdir(gitdir, { recursive: true });
        await git.init({ fs, gitdir, bare: true });
        await git.addRemote({ fs, gitdir, remote: 'origin', url: this.url, force: true });
        return { id, gitdir, cache: {}, reader: new PackReader(gitdir) };
      })();
    }
    return this.#generation;
  }

  /** True when nothing was fetched into the current generation yet. */
  async isEmpty(): Promise<boolean> {
    const { gitdir } = await this.store();
    const packs = await readdir(join(gitdir, 'objects', 'pack')).catch(() => [] as string[]);
    return !packs.some((f) => f.endsWith('.pack'));
  }

  /** Whether the commit is in the current generation (read through its pack reader). */
  async hasCommit(commit: string): Promise<boolean> {
    const { reader } = await this.store();
    return (await reader.read(commit))?.type === 'commit';
  }

  /** Makes `plan.commit` present, fetching at most once however many callers ask; true when a fetch ran. */
  ensure(plan: FetchPlan, limit: <T>(task: () => Promise<T>) => Promise<T>): Promise<boolean> {
    const pending = this.#inflight.get(plan.commit);
    if (pending) return pending;
    const run = this.#exclusive(async () => {
      if (await this.hasCommit(plan.commit)) return false;
      await limit(() => this.#fetch(plan));
      return true;
    }).finally(() => this.#inflight.delete(plan.commit));
    this.#inflight.set(plan.commit, run);
    return run;
  }

  async #fetch(plan: FetchPlan): Promise<void> {
    const { gitdir, cache } = await this.store();
    // isomorphic-git offers the server only the local value of the ref it fetches as a
    // "have": point it at the newest commit we hold, so only the new objects come.
    const have = plan.ref === undefined ? undefined : ((await this.#localRef(gitdir, plan.ref)) ?? this.#latest);
    if (plan.ref !== undefined && have !== undefined)
      await git.writeRef({ fs, gitdir, ref: plan.ref, value: have, force: true });
    await git.fetch({
      fs,
      http: plan.http,
      gitdir,
      cache,
      url: this.url,
      headers: plan.headers,
      ...(plan.ref === undefined
        ? { singleBranch: false }
        : { ref: plan.ref, remoteRef: plan.ref, singleBranch: true }),
      ...(plan.depth === undefined ? {} : { depth: plan.depth }),
      tags: false,
    });
    if (plan.ref !== undefined && (await this.hasCommit(plan.commit))) {
      await git.writeRef({ fs, gitdir, ref: plan.ref, value: plan.commit, force: true });
      this.#latest = plan.commit;
    }
  }

  async #localRef(gitdir: string, ref: string): Promise<string | undefined> {
    try {
      return await git.resolveRef({ fs, gitdir, ref });
    } catch {
      return undefined;
    }
  }

  /** Starts a new generation when the current one has too many packs or bytes; returns whether it did. */
  compactIfNeeded(limits: CompactionLimits, now: number): Promise<boolean> {
    return this.#exclusive(async () => {
      if (!this.#generation) return false;
      const current = await this.#generation;
      const usage = await packUsage(current.gitdir);
      if (usage.packs <= limits.maxPacks && usage.bytes <= limits.maxBytes) return false;
      this.#retired.push({ generation: current, at: now });
      this.#generation = undefined;
      this.#latest = undefined;
      return true;
    });
  }

  /** Deletes retired generations older than `graceMs`. */
  sweep(now: number, graceMs: number): Promise<void> {
    return this.#exclusive(async () => {
      while (this.#retired.length > 0 && now - this.#retired[0]!.at >= graceMs) {
        const { generation } = this.#retired.shift()!;
        await rm(generation.gitdir, { recursive: true, force: true });
      }
    });
  }

  async diskUsage(): Promise<number> {
    return (await dirSize(this.dir)).bytes;
  }

  async remove(): Promise<void> {
    await this.#exclusive(() => rm(this.dir, { recursive: true, force: true }));
    this.#generation = undefined;
    this.#latest = undefined;
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(task, task);
    this.#lock = run.catch(() => undefined);
    return run;
  }
}

async function packUsage(gitdir: string): Promise<{ packs: number; bytes: number }> {
  const usage = await dirSize(join(gitdir, 'objects'));
  let packs = 0;
  try {
    packs = (await readdir(join(gitdir, 'objects', 'pack'))).filter((f) => f.endsWith('.pack')).length;
  } catch {
    packs = 0;
  }
  return { packs, bytes: usage.bytes };
}

async function dirSize(dir: string): Promise<{ bytes: number }> {
  let bytes = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return { bytes: 0 };
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += (await dirSize(p)).bytes;
    else if (e.isFile()) bytes += (await stat(p)).size;
  }
  return { bytes };
}
