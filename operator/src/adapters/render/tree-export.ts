// Writes a folder of a SourceTree to disk, for a tool that reads files (helm of a local
// chart, kustomize). Only the tree's own files, with a cap on the total; the content hash
// of what was written identifies it for the render cache.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceTree } from '../../core/source.ts';

export interface TreeDigestOptions {
  /** Bytes the folder may hold. @default 256 MiB */
  readonly maxBytes?: number;
}

/** Every file under `path` (relative paths, sorted), read from the tree; throws when there is no such folder or it is too big. */
export async function readTreeFolder(
  tree: SourceTree,
  path: string,
  options: TreeDigestOptions = {},
): Promise<Map<string, Uint8Array>> {
  const max = options.maxBytes ?? 256 * 1024 * 1024;
  const files = new Map<string, Uint8Array>();
  let total = 0;
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await tree.readDir(dir);
    if (entries === undefined) throw new Error(`no folder "${dir || '.'}" in the repository`);
    for (const entry of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === '.git') continue;
      const child = dir ? `${dir}/${entry.name}` : entry.name;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.type === 'dir') {
        await walk(child, childRel);
        continue;
      }
      const bytes = (await tree.readFile(child)) ?? new Uint8Array();
      total += bytes.length;
      if (total > max) throw new Error(`the folder "${path || '.'}" holds more than ${max} bytes`);
      files.set(childRel, bytes);
    }
  };
  await walk(path, '');
  return files;
}

/** A hash over the files' paths and contents. */
export function digestOfFiles(files: ReadonlyMap<string, Uint8Array>): string {
  const hash = createHash('sha256');
  for (const [name, bytes] of files) hash.update(`${name}\0${bytes.length}\0`).update(bytes);
  return `sha256:${hash.digest('hex')}`;
}

/** Writes the files under `dir`. */
export async function writeFiles(files: ReadonlyMap<string, Uint8Array>, dir: string): Promise<void> {
  for (const [name, bytes] of files) {
    const file = join(dir, name);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, bytes);
  }
}
