// A read-only tree of files at one revision: a Git artifact, or a directory on disk.
// Synthesis reads the deploy repository through it and the pass reader reads the store,
// so neither needs a checkout on disk of more than it uses.

export interface TreeEntry {
  readonly name: string;
  readonly type: 'file' | 'dir';
}

export interface SourceTree {
  /** The revision the tree is at, e.g. `main@sha1:<40 hex>`, or `dir:<path>` for a directory. */
  readonly revision: string;
  /** The bytes of a file, or undefined when there is no such file. Paths are POSIX, relative to the root. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** The entries directly under a directory ('' or '.' for the root), or undefined when there is no such directory. */
  readDir(path: string): Promise<readonly TreeEntry[] | undefined>;
}

/** Normalizes a tree path: no leading './' or '/', no '..' (throws), no trailing '/'. */
export function normalizeTreePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new Error(`path leaves the tree: "${path}"`);
    parts.push(part);
  }
  return parts.join('/');
}
