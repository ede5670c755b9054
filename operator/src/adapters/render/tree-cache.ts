// The deploy repository's tree written to disk for kustomize, which reads bases and patches
// across the repository: once per Git revision (kept for later builds of that revision, the
// oldest removed past a limit). A directory tree is already on disk.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceTree } from '../../core/source.ts';
import { readTreeFolder, writeFiles } from './tree-export.ts';

export interface ExportedTree {
  readonly dir: string;
  /** Done with it: removes a directory tree's copy; a revision's copy stays. */
  release(): Promise<void>;
}

const KEEP = 8;

export async function exportTree(tree: SourceTree, root: string): Promise<ExportedTree> {
  await mkdir(root, { recursive: true });
  // A directory on disk (`keelson synth` of a working tree, never the operator) is built where it
  // is, as kustomize would build it there: copying a working tree would take its node_modules along.
  if (tree.revision.startsWith('dir:')) return { dir: tree.revision.slice('dir:'.length), release: async () => {} };
  const dir = join(root, createHash('sha256').update(tree.revision).digest('hex').slice(0, 32));
  if (
    !(await stat(dir).then(
      () => true,
      () => false,
    ))
  ) {
    const tmp = await mkdtemp(join(root, 'tmp-'));
    await writeFiles(await readTreeFolder(tree, ''), tmp);
    await rename(tmp, dir).catch(() => rm(tmp, { recursive: true, force: true }));
    await prune(root);
  }
  return { dir, release: async () => {} };
}

async function prune(root: string): Promise<void> {
  const names = (await readdir(root)).filter((n) => /^[0-9a-f]{32}$/.test(n));
  if (names.length <= KEEP) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(root, n))).mtimeMs })));
  aged.sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, aged.length - KEEP)) await rm(join(root, n), { recursive: true, force: true });
}
