// What `keelson synth` and `keelson envs` share: the same sandboxed synthesizer the operator
// runs, with one worker, over a directory on disk. Inside a Git working tree the tree is the
// whole working tree and the directory its path, as the operator sees a GitRepository and an
// Environment's spec.path: an Include of `../manifests` works the same in both.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { DirectoryTree } from '../adapters/source/directory-tree.ts';
import { Renderer } from '../adapters/render/renderer.ts';
import { Synthesizer, type SynthesisSource } from '../adapters/synth/synthesizer.ts';
import { DependencyStore } from '../adapters/npm/dependency-store.ts';
import { tokenFor } from '../core/npm/user-tokens.ts';
import { readUserNpmConfig } from './npm-config.ts';
import type { CommandIO } from './command.ts';

/** Starts a one-worker synthesizer for the deploy repository in `dir`, runs `fn`, and stops it. */
export async function withLocalSynthesizer<T>(
  dir: string,
  io: CommandIO,
  fn: (s: Synthesizer, source: SynthesisSource) => Promise<T>,
): Promise<T> {
  return withSynthesizer(io, (synthesizer, npmAccess) => {
    const folder = resolve(io.cwd, dir);
    const root = workingTreeOf(folder) ?? folder;
    return fn(synthesizer, { tree: new DirectoryTree(root), path: relative(root, folder) || '.', npmAccess });
  });
}

/** The token of an npm registry from the user's own npm configuration (~/.npmrc), as npm would use it. */
export type UserNpmAccess = (registryUrl: string) => { readonly token?: string };

/** Starts the same one-worker synthesizer as the operator's, runs `fn` with it and the user's npm tokens, and stops it. */
export async function withSynthesizer<T>(
  io: CommandIO,
  fn: (s: Synthesizer, npmAccess: UserNpmAccess) => Promise<T>,
): Promise<T> {
  const cacheDir = join(io.env.KEELSON_CACHE ?? join(homedir(), '.cache', 'keelson'), 'synth');
  const renderer = new Renderer({
    cacheDir: join(cacheDir, '..', 'render'),
    helm: io.env.KEELSON_HELM ?? 'helm',
    kustomize: io.env.KEELSON_KUSTOMIZE ?? 'kustomize',
  });
  // A deploy repository's own packages, installed into the local cache with the user's tokens, as npm ci would.
  const dependencies = new DependencyStore({ cacheDir: join(cacheDir, '..', 'npm'), tokensFrom: 'user-config' });
  const synthesizer = new Synthesizer({ cacheDir, size: 1, renderer, dependencies });
  try {
    await synthesizer.start();
    const { tokens } = await readUserNpmConfig(io);
    return await fn(synthesizer, (url) => {
      const token = tokenFor(tokens, url);
      return token === undefined ? {} : { token };
    });
  } finally {
    await synthesizer.stop();
  }
}

/** The Git working tree `folder` is in (the nearest folder up holding .git), or undefined. */
function workingTreeOf(folder: string): string | undefined {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Writes what the deploy repository printed to stderr, each line marked as its output. */
export function relayLogs(logs: string, io: CommandIO): void {
  if (!logs) return;
  io.stderr(
    logs
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => `[deploy repo] ${l}\n`)
      .join(''),
  );
}
