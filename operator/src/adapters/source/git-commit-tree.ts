// A SourceTree over one commit of a Git repository on disk, read from its object store with
// isomorphic-git (no git binary, no checkout): what `keelson diff <dir> --from --to` synthesizes.
// A revision is what `git rev-parse` commonly takes: a branch, tag or remote-tracking name
// (`main`, `v1.2`, `origin/main`), HEAD, a full or short commit id, each optionally followed
// by `~N` or `^` (first parent).
import * as fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import git from 'isomorphic-git';
import { normalizeTreePath, type SourceTree, type TreeEntry } from '../../core/source.ts';

/** The directory is not in a Git repository (nor a bare one). */
export class NotAGitRepositoryError extends Error {
  override readonly name = 'NotAGitRepositoryError';
  readonly code = 'NotAGitRepository';
  readonly dir: string;
  constructor(dir: string) {
    super(`${dir} is not in a Git repository (no .git found in it or a folder above it)`);
    this.dir = dir;
  }
}

/** The revision names no commit of the repository. */
export class UnknownRevisionError extends Error {
  override readonly name = 'UnknownRevisionError';
  readonly code = 'UnknownRevision';
  readonly revision: string;
  constructor(revision: string, detail: string) {
    super(`unknown revision "${revision}": ${detail}`);
    this.revision = revision;
  }
}

export class GitCommitTree implements SourceTree {
  /** `<name>@sha1:<commit>`, as a GitArtifact's revision. */
  readonly revision: string;
  readonly commit: string;
  readonly gitdir: string;
  readonly #cache: object;

  private constructor(gitdir: string, name: string, commit: string, cache: object) {
    this.gitdir = gitdir;
    this.commit = commit;
    this.revision = `${name}@sha1:${commit}`;
    this.#cache = cache;
  }

  /** The tree of `revision` in the repository holding `dir`. `cache` is shared between trees of one repository. */
  static async open(dir: string, revision: string, cache: object = {}): Promise<GitCommitTree> {
    const gitdir = findGitDir(resolve(dir));
    const commit = await resolveRevision(gitdir, revision, cache);
    return new GitCommitTree(gitdir, revision, commit, cache);
  }

  async readFile(path: string): Promise<Uint8Array | undefined> {
    const filepath = normalizeTreePath(path);
    if (filepath === '') return undefined;
    try {
      const { blob } = await git.readBlob({ fs, gitdir: this.gitdir, oid: this.commit, filepath, cache: this.#cache });
      return blob;
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw err;
    }
  }

  async readDir(path: string): Promise<readonly TreeEntry[] | undefined> {
    const filepath = normalizeTreePath(path);
    try {
      const { tree } = await git.readTree({
        fs,
        gitdir: this.gitdir,
        oid: this.commit,
        cache: this.#cache,
        ...(filepath === '' ? {} : { filepath }),
      });
      return tree
        .filter((e) => e.type === 'blob' || e.type === 'tree')
        .map((e) => ({ name: e.path, type: e.type === 'tree' ? ('dir' as const) : ('file' as const) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw err;
    }
  }
}

/** The git directory of the repository `dir` is in: `<worktree>/.git` up the folders, or `dir` itself when bare. */
function findGitDir(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    if (fs.existsSync(join(dotGit, 'HEAD'))) return dotGit;
    if (fs.existsSync(join(d, 'HEAD')) && fs.existsSync(join(d, 'objects'))) return d;
    if (dirname(d) === d) throw new NotAGitRepositoryError(dir);
  }
}

async function resolveRevision(gitdir: string, revision: string, cache: object): Promise<string> {
  const match = /^(.+?)((?:~\d*|\^1?)*)$/.exec(revision.trim());
  if (!match) throw new UnknownRevisionError(revision, 'empty');
  const [, base, suffix] = match as unknown as [string, string, string];
  let oid = await resolveBase(gitdir, base, revision, cache);
  for (const step of suffix.match(/~\d*|\^1?/g) ?? []) {
    const count = step.startsWith('~') ? (step.length > 1 ? Number(step.slice(1)) : 1) : 1;
    for (let i = 0; i < count; i++) {
      const { commit } = await git.readCommit({ fs, gitdir, oid, cache });
      const parent = commit.parent[0];
      if (!parent) throw new UnknownRevisionError(revision, `${oid.slice(0, 12)} has no parent`);
      oid = parent;
    }
  }
  return oid;
}

/** The commit a ref name or (short) commit id names, annotated tags peeled. */
async function resolveBase(gitdir: string, base: string, revision: string, cache: object): Promise<string> {
  let oid: string | undefined;
  try {
    oid = await git.resolveRef({ fs, gitdir, ref: base });
  } catch (err) {
    if (!isAbsent(err)) throw err;
  }
  if (oid === undefined && /^[0-9a-f]{4,40}$/i.test(base)) {
    try {
      oid = await git.expandOid({ fs, gitdir, oid: base.toLowerCase(), cache });
    } catch (err) {
      if (!isAbsent(err) && (err as { code?: string }).code !== 'AmbiguousError') throw err;
      if ((err as { code?: string }).code === 'AmbiguousError')
        throw new UnknownRevisionError(revision, 'the short commit id is ambiguous: give more digits');
    }
  }
  if (oid === undefined) throw new UnknownRevisionError(revision, 'no branch, tag or commit of that name');
  for (let depth = 0; depth < 10; depth++) {
    let read;
    try {
      read = (await git.readObject({ fs, gitdir, oid, format: 'parsed', cache })) as {
        type: string;
        object: unknown;
      };
    } catch (err) {
      if (isAbsent(err)) throw new UnknownRevisionError(revision, `object ${oid} is not in the repository`);
      throw err;
    }
    if (read.type === 'commit') return oid;
    if (read.type !== 'tag') throw new UnknownRevisionError(revision, `it names a ${read.type}, not a commit`);
    oid = (read.object as { object: string }).object;
  }
  throw new UnknownRevisionError(revision, 'too many nested tags');
}

function isAbsent(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NotFoundError' || code === 'ObjectTypeError';
}
