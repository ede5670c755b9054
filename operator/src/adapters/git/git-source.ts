// The Git source: resolves a GitRepository's ref against the remote with one cheap ls-refs
// request, fetches into the shared per-URL cache only when the commit is not there yet,
// and hands out immutable artifacts (SourceTree) that read from the warm object store.
// ls-refs speaks protocol v1: one round trip (v2 needs two) for the "did the ref move?" check.
// Every owner (GitRepository) proves access with its own credentials through its own
// ls-refs before it may use objects another owner fetched.
import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import git from 'isomorphic-git';
import type { GitRepositoryRef } from '../../api/v1alpha1/git-repository.ts';
import {
  describeGitFailure,
  redactUrl,
  type GitFailure,
  type GitFailureObservation,
} from '../../core/source/git-failure.ts';
import {
  formatRevision,
  parseRevision,
  refPrefix,
  RefNotFoundError,
  selectRef,
  type ResolvedRef,
} from '../../core/source/git-ref.ts';
import { GitArtifact } from './artifact.ts';
import { ConcurrencyLimit } from './concurrency-limit.ts';
import { authorizationHeaders, type GitCredentials } from './credentials.ts';
import { createHttpTransport } from './http-transport.ts';
import { RepositoryCache } from './repository-cache.ts';

export interface GitSourceOptions {
  /** Where the per-URL object caches live. */
  readonly cacheDir: string;
  /** Fetches running at once across all repositories. @default 4 */
  readonly maxConcurrentFetches?: number;
  /** Fetch only the tip commit (depth 1). @default true */
  readonly shallow?: boolean;
  /** Packs in one cache before it is rebuilt. @default 32 */
  readonly maxPacksPerRepository?: number;
  /** Bytes in one cache before it is rebuilt. @default 512 MiB */
  readonly maxBytesPerRepository?: number;
  /** How long a rebuilt cache's old objects stay readable for artifacts handed out earlier. @default 5 min */
  readonly retiredGraceMs?: number;
  /** Bytes of all caches together; collectGarbage deletes the least recently used caches beyond it. @default 4 GiB */
  readonly maxCacheBytes?: number;
  /** A cache no refresh used for this long is deleted by collectGarbage. @default 6 h */
  readonly unusedCacheTtlMs?: number;
  /** One call per ls-refs or fetch, for the metrics. */
  readonly onRequest?: (sample: GitRequestSample) => void;
  /** @default Date.now */
  readonly clock?: () => number;
}

export interface GitRequestSample {
  readonly repository: string;
  readonly kind: 'ls-refs' | 'fetch';
  readonly result: string;
  readonly seconds: number;
}

export interface RefreshRequest {
  readonly url: string;
  readonly ref?: GitRepositoryRef;
  readonly credentials?: GitCredentials;
  /** @default 60 s */
  readonly timeoutMs?: number;
}

export interface RefreshResult {
  readonly artifact: GitArtifact;
  /** True when this refresh downloaded objects (false: the commit was already cached). */
  readonly fetched: boolean;
}

/** A Git operation failed; `failure` has the reason and the words for the user. */
export class GitSourceError extends Error {
  override readonly name = 'GitSourceError';
  readonly failure: GitFailure;
  constructor(failure: GitFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

/** The depth `git fetch --unshallow` asks for: all of the history. */
const UNSHALLOW = 2_147_483_647;

export class GitSource {
  readonly #options: GitSourceOptions;
  readonly #caches = new Map<string, RepositoryCache>();
  readonly #fetchedAt = new Map<string, string>();
  readonly #limit: ConcurrencyLimit;
  readonly #clock: () => number;

  constructor(options: GitSourceOptions) {
    this.#options = options;
    this.#limit = new ConcurrencyLimit(options.maxConcurrentFetches ?? 4);
    this.#clock = options.clock ?? Date.now;
  }

  /** Resolves the ref with ls-refs and fetches only when the commit is not cached yet. */
  async refresh(req: RefreshRequest): Promise<RefreshResult> {
    const timeoutMs = req.timeoutMs ?? 60_000;
    const signal = AbortSignal.timeout(timeoutMs);
    const headers = authorizationHeaders(req.credentials);
    const http = createHttpTransport({
      headers,
      signal,
      caBundle: req.credentials?.caBundle,
    });
    const resolved = await this.#observe(req.url, 'ls-refs', async () => {
      const advertised = await git.listServerRefs({
        http,
        url: req.url,
        protocolVersion: 1,
        prefix: refPrefix(req.ref),
        peelTags: true,
      });
      return selectRef(req.ref, advertised);
    });
    const cache = this.#cacheFor(req.url);
    const plan = {
      http,
      headers,
      ref: resolved.ref,
      commit: resolved.commit,
      depth: await this.#depthFor(cache, resolved),
    };
    const fetched = (await cache.hasCommit(resolved.commit))
      ? false
      : await this.#observe(req.url, 'fetch', () => cache.ensure(plan, (task) => this.#limit.run(task)));
    if (!(await cache.hasCommit(resolved.commit))) {
      throw this.#fail(req.url, {
        code: 'RefNotFoundError',
        message: `commit ${resolved.commit} is not reachable from any branch`,
      });
    }
    const artifact = await this.#artifact(cache, resolved);
    if (fetched) await cache.compactIfNeeded(this.#compaction(), this.#clock());
    return { artifact, fetched };
  }

  /**
   * The artifact of `commit` (an earlier one, for a rollback): from the cache, or fetched
   * with the full history of the ref (every branch for a bare commit; a shallow cache is
   * deepened, as `git fetch --unshallow` does) when it is missing.
   */
  async artifactAt(req: RefreshRequest, commit: string): Promise<GitArtifact> {
    const cache = this.#cacheFor(req.url);
    const name = req.ref?.branch ?? req.ref?.tag ?? (req.ref?.semver || req.ref?.commit ? 'HEAD' : 'main');
    if (await cache.hasCommit(commit)) return this.#artifact(cache, { name, commit });
    // Right after a restart the cache is empty and the commit is usually the tip: a shallow
    // refresh is far cheaper than the full history.
    if (await cache.isEmpty()) {
      await this.refresh(req).catch(() => undefined);
      if (await cache.hasCommit(commit)) return this.#artifact(cache, { name, commit });
    }
    const headers = authorizationHeaders(req.credentials);
    const http = createHttpTransport({
      headers,
      signal: AbortSignal.timeout(req.timeoutMs ?? 60_000),
      caBundle: req.credentials?.caBundle,
    });
    const ref = req.ref?.branch ? `refs/heads/${req.ref.branch}` : undefined;
    await this.#observe(req.url, 'fetch', () =>
      cache.ensure({ http, headers, ref, commit, depth: UNSHALLOW }, (task) => this.#limit.run(task)),
    );
    if (!(await cache.hasCommit(commit))) {
      throw this.#fail(req.url, {
        code: 'RefNotFoundError',
        message: `commit ${commit} is not in the history of the repository`,
      });
    }
    return this.#artifact(cache, { name, commit });
  }

  /** The artifact of a revision (`main@sha1:…`) already in the cache of `url`, or undefined. */
  async open(url: string, revision: string): Promise<GitArtifact | undefined> {
    const parsed = parseRevision(revision);
    const cache = this.#caches.get(url);
    if (!parsed || !cache || !(await cache.hasCommit(parsed.commit))) return undefined;
    return this.#artifact(cache, parsed);
  }

  /**
   * Deletes retired cache generations, caches no refresh used for `unusedCacheTtlMs` (every
   * GitRepository refreshes at its interval, so such a cache has no owner left), and
   * leftovers of earlier processes. Safe to call from several controllers sharing this source.
   */
  async collectGarbage(): Promise<void> {
    const now = this.#clock();
    const ttl = this.#options.unusedCacheTtlMs ?? 6 * 3_600_000;
    const known = new Set([...this.#caches.values()].map((c) => basename(c.dir)));
    const entries = await readdir(this.#options.cacheDir).catch(() => [] as string[]);
    for (const entry of entries)
      if (!known.has(entry)) await rm(join(this.#options.cacheDir, entry), { recursive: true, force: true });
    for (const [url, cache] of this.#caches) {
      if (now - cache.lastUsedAt >= ttl) {
        this.#caches.delete(url);
        await cache.remove();
        continue;
      }
      await cache.sweep(now, this.#options.retiredGraceMs ?? 300_000);
    }
    await this.#evictOverBudget();
  }

  /** Deletes least recently used caches (never the most recent) while all of them exceed maxCacheBytes. */
  async #evictOverBudget(): Promise<void> {
    const budget = this.#options.maxCacheBytes ?? 4 * 1024 ** 3;
    const caches = [...this.#caches.values()].sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    const sizes = new Map<RepositoryCache, number>();
    for (const cache of caches) sizes.set(cache, await cache.diskUsage());
    let total = [...sizes.values()].reduce((a, b) => a + b, 0);
    for (const cache of caches.slice(0, -1)) {
      if (total <= budget) break;
      total -= sizes.get(cache)!;
      this.#caches.delete(cache.url);
      await cache.remove();
    }
  }

  /** Bytes on disk across every cache. */
  async diskUsage(): Promise<number> {
    let total = 0;
    for (const cache of this.#caches.values()) total += await cache.diskUsage();
    return total;
  }

  #cacheFor(url: string): RepositoryCache {
    let cache = this.#caches.get(url);
    if (!cache) {
      const key = createHash('sha256').update(url).digest('hex').slice(0, 24);
      cache = new RepositoryCache(url, join(this.#options.cacheDir, key));
      this.#caches.set(url, cache);
    }
    cache.lastUsedAt = this.#clock();
    return cache;
  }

  async #artifact(cache: RepositoryCache, resolved: Pick<ResolvedRef, 'name' | 'commit'>): Promise<GitArtifact> {
    const key = `${cache.url}#${resolved.commit}`;
    let fetchedAt = this.#fetchedAt.get(key);
    if (!fetchedAt) {
      fetchedAt = new Date(this.#clock()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      this.#fetchedAt.set(key, fetchedAt);
    }
    return new GitArtifact({
      url: cache.url,
      revision: formatRevision(resolved),
      commit: resolved.commit,
      fetchedAt,
      store: await cache.store(),
    });
  }

  /**
   * Shallow (depth 1) for the first fetch into an empty cache; later fetches send what the
   * cache has and get only the new objects, as `git fetch` does in a shallow clone (asking
   * the server to deepen again costs it far more than it saves).
   */
  async #depthFor(cache: RepositoryCache, resolved: ResolvedRef): Promise<number | undefined> {
    if (this.#options.shallow === false || resolved.ref === undefined) return undefined;
    return (await cache.isEmpty()) ? 1 : undefined;
  }

  #compaction() {
    return {
      maxPacks: this.#options.maxPacksPerRepository ?? 32,
      maxBytes: this.#options.maxBytesPerRepository ?? 512 * 1024 * 1024,
    };
  }

  async #observe<T>(url: string, kind: 'ls-refs' | 'fetch', task: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const sample = (result: string) =>
      this.#options.onRequest?.({
        repository: redactUrl(url),
        kind,
        result,
        seconds: (performance.now() - started) / 1000,
      });
    try {
      const value = await task();
      sample('success');
      return value;
    } catch (err) {
      const failure = err instanceof GitSourceError ? err : this.#fail(url, observeError(err));
      sample(failure.failure.reason);
      throw failure;
    }
  }

  #fail(url: string, seen: GitFailureObservation): GitSourceError {
    return new GitSourceError(describeGitFailure(url, seen));
  }
}

/** What a thrown error tells about the failure: HTTP status, a code, the message. */
export function observeError(err: unknown): GitFailureObservation {
  const e = err as {
    code?: string;
    name?: string;
    message?: string;
    data?: { statusCode?: number };
    cause?: { code?: string };
  };
  const message = e?.message ?? String(err);
  if (err instanceof RefNotFoundError) return { code: 'RefNotFoundError', message };
  if (e?.name === 'InvalidRefError') return { code: 'InvalidRefError', message };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { code: 'Timeout', message };
  if (e?.code === 'HttpError' && e.data?.statusCode !== undefined) return { httpStatus: e.data.statusCode, message };
  const code = e?.code ?? e?.cause?.code;
  return { ...(code === undefined ? {} : { code }), message };
}
