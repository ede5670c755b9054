// An artifact: one fetched commit, read straight from the object store of the shared cache
// (no checkout). Immutable: the same artifact always reads the same bytes. Reads go through
// the generation's in-memory PackReader, with isomorphic-git as the fallback for objects
// it does not find (loose objects). Directory listings are memoized per artifact.
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { normalizeTreePath, type TreeEntry } from '../../core/source.ts';
import type { IdentifyingTree } from '../../core/synthesis-inputs.ts';
import type { PackReader, TreeItem } from './pack-reader.ts';

/** Where an artifact's objects live: a bare git directory and its warm object cache. */
export interface ObjectStore {
  readonly gitdir: string;
  /** isomorphic-git's cache object: parsed pack indexes stay in memory across reads. */
  readonly cache: object;
  readonly reader: PackReader;
}

export interface GitArtifactSpec {
  readonly url: string;
  readonly revision: string;
  readonly commit: string;
  /** RFC 3339: when this commit was first fetched. */
  readonly fetchedAt: string;
  readonly store: ObjectStore;
}

export class GitArtifact implements IdentifyingTree {
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
    const fast = await this.#find(filepath);
    if (fast !== null) return fast?.type === 'blob' ? (await this.#store.reader.read(fast.oid))?.data : undefined;
    try {
      const { blob } = await git.readBlob({
        fs,
        gitdir: this.#store.gitdir,
        oid: this.commit,
        filepath,
        cache: this.#store.cache,
      });
      return blob;
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw err;
    }
  }

  /** The blob id of the file at `path`: whether it changed between two commits, without reading it. */
  async objectId(path: string): Promise<string | undefined> {
    const filepath = normalizeTreePath(path);
    if (filepath === '') return undefined;
    const fast = await this.#find(filepath);
    if (fast !== null) return fast?.type === 'blob' ? fast.oid : undefined;
    const slash = filepath.lastIndexOf('/');
    const entries = await this.#listTreeItems(slash < 0 ? '' : filepath.slice(0, slash));
    const item = entries?.find((e) => e.name === filepath.slice(slash + 1));
    return item?.type === 'blob' ? item.oid : undefined;
  }

  async rootId(): Promise<string> {
    const fast = await this.#store.reader.commitTree(this.commit);
    if (fast !== undefined) return fast;
    const { commit } = await git.readCommit({
      fs,
      gitdir: this.#store.gitdir,
      oid: this.commit,
      cache: this.#store.cache,
    });
    return commit.tree;
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

  /** The tree item at `filepath` (undefined: absent), or null when the pack reader cannot tell. */
  async #find(filepath: string): Promise<TreeItem | undefined | null> {
    const reader = this.#store.reader;
    const root = await reader.commitTree(this.commit);
    if (root === undefined) return null;
    let item: TreeItem | undefined = { name: '', oid: root, type: 'tree' };
    for (const part of filepath === '' ? [] : filepath.split('/')) {
      if (item.type !== 'tree') return undefined;
      const items = await reader.tree(item.oid);
      if (!items) return null;
      item = items.find((i) => i.name === part);
      if (!item) return undefined;
    }
    return item;
  }

  async #listTree(filepath: string): Promise<readonly TreeEntry[] | undefined> {
    const items = await this.#listTreeItems(filepath);
    return items && toEntries(items);
  }

  /** The items of the folder at `filepath` (with their object ids), or undefined when there is none. */
  async #listTreeItems(filepath: string): Promise<readonly TreeItem[] | undefined> {
    const fast = await this.#find(filepath);
    if (fast === undefined || (fast !== null && fast.type !== 'tree')) return undefined;
    if (fast !== null) {
      const items = await this.#store.reader.tree(fast.oid);
      if (items) return items;
    }
    try {
      const { tree } = await git.readTree({
        fs,
        gitdir: this.#store.gitdir,
        oid: this.commit,
        cache: this.#store.cache,
        ...(filepath === '' ? {} : { filepath }),
      });
      return tree.map((e) => ({ name: e.path, oid: e.oid, type: e.type }));
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw err;
    }
  }
}

function toEntries(items: readonly TreeItem[]): TreeEntry[] {
  return items
    .filter((e) => e.type === 'blob' || e.type === 'tree')
    .map((e) => ({ name: e.name, type: e.type === 'tree' ? ('dir' as const) : ('file' as const) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function isAbsent(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NotFoundError' || code === 'ObjectTypeError';
}
