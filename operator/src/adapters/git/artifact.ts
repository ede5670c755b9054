// An artifact: one fetched commit, read straight from the object store of the shared cache
// (no checkout). Immutable: the same artifact always reads the same bytes. Directory
// listings are memoized per artifact, since trees never change under a commit id.
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { normalizeTreePath, type SourceTree, type TreeEntry } from '../../core/source.ts';

/** Where an artifact's objects live: a bare git directory and its warm object cache. */
export interface ObjectStore {
  readonly gitdir: string;
  /** isomorphic-git's cache object: parsed pack indexes stay in memory across reads. */
  readonly cache: object;
}

export interface GitArtifactSpec {
  readonly url: string;
  readonly revision: string;
  readonly commit: string;
  /** RFC 3339: when this commit was first fetched. */
  readonly fetchedAt: string;
  readonly store: ObjectStore;
}

export class GitArtifact implements SourceTree {
  readonly url: string;
  readonly revision: string;
  readonly commit: string;
  readonly fetchedAt: string;
  readonly #store: ObjectStore;
  readonly #dirs = new Map<string, Promise<readonly TreeEntry[] | undefined>>();

  constructor(spec: GitArtifactSpec) {
    this.url = spec.url;
    this.revision = spec.revision;
    this.commit = spec.commit;
    this.fetchedAt = spec.fetchedAt;
    this.#store = spec.store;
  }

  async readFile(path: string): Promise<Uint8Array | undefined> {
    const filepath = normalizeTreePath(path);
    if (filepath === '') return undefined;
    try {
      const { blob } = await git.readBlob({ fs, gitdir: this.#store.gitdir, oid: this.commit, filepath, cache: this.#store.cache });
      return blob;
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw err;
    }
  }

  readDir(path: string): Promise<readonly TreeEntry[] | undefined> {
    const filepath = normalizeTreePath(path);
    let entries = this.#dirs.get(filepath);
    if (!entries) {
      entries = this.#listTree(filepath);
      this.#dirs.set(filepath, entries);
    }
    return entries;
  }

  async #listTree(filepath: string): Promise<readonly TreeEntry[] | undefined> {
    try {
      const { tree } = await git.readTree({
        fs, gitdir: this.#store.gitdir, oid: this.commit, cache: this.#store.cache,
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

function isAbsent(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NotFoundError' || code === 'ObjectTypeError';
}
