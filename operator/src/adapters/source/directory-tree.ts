// A SourceTree over a directory on disk: what the CLI uses on a working copy.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { normalizeTreePath, type SourceTree, type TreeEntry } from '../../core/source.ts';

export class DirectoryTree implements SourceTree {
  readonly revision: string;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.revision = `dir:${this.root}`;
  }

  async readFile(path: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.root, normalizeTreePath(path)));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async readDir(path: string): Promise<readonly TreeEntry[] | undefined> {
    try {
      const entries = await readdir(join(this.root, normalizeTreePath(path)), { withFileTypes: true });
      return entries
        .filter((e) => e.isFile() || e.isDirectory())
        .map((e) => ({ name: e.name, type: e.isDirectory() ? ('dir' as const) : ('file' as const) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
