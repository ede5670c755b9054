// One file of a deploy repository changed and pushed, as `keelson set-image` needs it: a
// shallow fetch of the branch tip into a temporary bare repository (isomorphic-git over
// smart HTTP, no working tree), the edit applied to the file's text at that tip, a commit
// whose tree differs only in that file, and a push. When another push landed first (the
// push is not a fast-forward, or the server refuses the ref update), it fetches the new
// tip, applies the edit again there and retries, a bounded number of times with a jittered
// backoff. Failures come out as PushError with words from core/images/push-failure.ts,
// scrubbed of the credentials.
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { retryDelayMs, type CommitAuthor } from '../../core/images/commit-message.ts';
import { describePushFailure, type PushFailure } from '../../core/images/push-failure.ts';
import { redactUrl as redact } from '../../core/source/git-failure.ts';
import { authorizationHeaders, type GitCredentials } from './credentials.ts';
import { createHttpTransport } from './http-transport.ts';

/** What to change in the file at a tip: its new text and the commit message, or undefined for nothing. */
export type FileEditor = (text: string) => { readonly text: string; readonly message: string } | undefined;

export interface FileBumpRequest {
  readonly url: string;
  readonly branch: string;
  /** The file's path in the repository: `images.json`, `deploy/images.json`. */
  readonly file: string;
  readonly credentials?: GitCredentials;
  readonly edit: FileEditor;
  readonly author: CommitAuthor;
  readonly committer?: CommitAuthor;
  /** @default 12 */
  readonly maxAttempts?: number;
  /** Per attempt (fetch, commit, push). @default 60 s */
  readonly timeoutMs?: number;
  /** Called when a push was rejected because the branch moved: `attempt` applies the edit again on `tip`. */
  readonly onRetry?: (attempt: number, tip: string) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

export type FileBumpResult =
  | { readonly pushed: true; readonly commit: string; readonly parent: string; readonly attempts: number }
  | { readonly pushed: false; readonly tip: string; readonly attempts: number };

/** Cloning, pushing or reading the file failed; `failure.message` is safe to print. */
export class PushError extends Error {
  override readonly name = 'PushError';
  readonly failure: PushFailure;
  constructor(failure: PushFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

const ZERO = '0'.repeat(40);

export async function bumpFile(req: FileBumpRequest): Promise<FileBumpResult> {
  const maxAttempts = req.maxAttempts ?? 12;
  const sleep = req.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = req.random ?? Math.random;
  const secrets = [req.credentials?.password, req.credentials?.bearerToken].filter((s): s is string => !!s);
  const fail = (err: unknown): PushError =>
    err instanceof PushError ? err : new PushError(describePushFailure(req.url, req.branch, observe(err), secrets));
  const ref = `refs/heads/${req.branch}`;
  const gitdir = await mkdtemp(join(tmpdir(), 'keelson-set-image-'));
  const cache = {};
  const headers = authorizationHeaders(req.credentials);
  try {
    await git.init({ fs, gitdir, bare: true, defaultBranch: req.branch });
    await git.addRemote({ fs, gitdir, remote: 'origin', url: req.url });
    let base: string | undefined;
    let rejected: unknown;
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(req.timeoutMs ?? 60_000);
      // A new transport each attempt: the old one replays the ref advertisement it saw.
      const http = createHttpTransport({
        headers,
        signal,
        ...(req.credentials?.caBundle ? { caBundle: req.credentials.caBundle } : {}),
      });
      // Offer the tip we already hold, so a refetch downloads only what is new.
      if (base !== undefined) await git.writeRef({ fs, gitdir, ref, value: base, force: true });
      const tip = await git
        .fetch({
          fs,
          http,
          gitdir,
          cache,
          url: req.url,
          headers,
          ref,
          remoteRef: ref,
          singleBranch: true,
          depth: 1,
          tags: false,
        })
        .then(
          (r) => r.fetchHead,
          (err: unknown) => Promise.reject(fail(err)),
        );
      if (!tip || tip === ZERO) throw fail({ code: 'BranchNotFound', message: `no branch ${req.branch}` });
      // Refused although the branch did not move: not a race, so retrying cannot help.
      if (rejected !== undefined && tip === base) throw fail(rejected);
      if (rejected !== undefined) req.onRetry?.(attempt, tip);
      base = tip;
      const text = await readText(gitdir, cache, tip, req.file).catch((err: unknown) => {
        throw (err as { code?: unknown }).code === 'NotFoundError'
          ? new PushError({
              reason: 'ImagesFileNotFound',
              message: `branch "${req.branch}" of ${redact(req.url)} has no ${req.file}: check --path`,
            })
          : fail(err);
      });
      const edit = req.edit(text);
      if (!edit) return { pushed: false, tip, attempts: attempt };
      try {
        const blob = await git.writeBlob({ fs, gitdir, blob: new TextEncoder().encode(edit.text) });
        const { commit: parentCommit } = await git.readCommit({ fs, gitdir, cache, oid: tip });
        const tree = await replaceInTree(gitdir, cache, parentCommit.tree, req.file.split('/'), blob);
        const commit = await git.commit({
          fs,
          gitdir,
          cache,
          ref,
          message: edit.message,
          author: req.author,
          committer: req.committer ?? req.author,
          tree,
          parent: [tip],
        });
        await git.push({ fs, http, gitdir, cache, url: req.url, headers, ref, remoteRef: ref, signal });
        return { pushed: true, commit, parent: tip, attempts: attempt };
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code !== 'PushRejectedError' && code !== 'GitPushError') throw fail(err);
        rejected = err;
        if (attempt >= maxAttempts) {
          throw new PushError({
            reason: 'PushRejected',
            message: `the push to "${req.branch}" of ${redact(req.url)} was rejected ${attempt} times, other pushes landing first each time; run it again`,
          });
        }
        await sleep(retryDelayMs(attempt, random()));
      }
    }
  } finally {
    await rm(gitdir, { recursive: true, force: true });
  }
}

async function readText(gitdir: string, cache: object, commit: string, file: string): Promise<string> {
  const { blob } = await git.readBlob({ fs, gitdir, cache, oid: commit, filepath: file });
  return new TextDecoder().decode(blob);
}

/** A copy of tree `oid` with the blob at `path` replaced by `blob` (mode kept); returns the new tree's id. */
async function replaceInTree(
  gitdir: string,
  cache: object,
  oid: string,
  path: readonly string[],
  blob: string,
): Promise<string> {
  const { tree } = await git.readTree({ fs, gitdir, cache, oid });
  const [head, ...rest] = path;
  const entries = await Promise.all(
    tree.map(async (entry) => {
      if (entry.path !== head) return entry;
      return { ...entry, oid: rest.length === 0 ? blob : await replaceInTree(gitdir, cache, entry.oid, rest, blob) };
    }),
  );
  return git.writeTree({ fs, gitdir, tree: entries });
}

/** What a failure tells: HTTP status, code (a string code, else the error's name), message. */
function observe(err: unknown): { httpStatus?: number; code?: string; message: string } {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; data?: { statusCode?: unknown } } | undefined;
  const status = e?.data?.statusCode;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : undefined;
  return {
    ...(typeof status === 'number' ? { httpStatus: status } : {}),
    ...(code !== undefined ? { code } : {}),
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}
