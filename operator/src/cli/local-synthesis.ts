// What `keelson synth` and `keelson envs` share: the same sandboxed synthesizer the operator
// runs, with one worker, over a directory on disk.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DirectoryTree } from '../adapters/source/directory-tree.ts';
import { Renderer } from '../adapters/render/renderer.ts';
import { Synthesizer, type SynthesisSource } from '../adapters/synth/synthesizer.ts';
import type { CommandIO } from './command.ts';

/** Starts a one-worker synthesizer for the deploy repository in `dir`, runs `fn`, and stops it. */
export async function withLocalSynthesizer<T>(dir: string, io: CommandIO, fn: (s: Synthesizer, source: SynthesisSource) => Promise<T>): Promise<T> {
  const cacheDir = join(io.env.KEELSON_CACHE ?? join(homedir(), '.cache', 'keelson'), 'synth');
  const renderer = new Renderer({
    cacheDir: join(cacheDir, '..', 'render'),
    helm: io.env.KEELSON_HELM ?? 'helm',
    kustomize: io.env.KEELSON_KUSTOMIZE ?? 'kustomize',
  });
  const synthesizer = new Synthesizer({ cacheDir, size: 1, renderer });
  try {
    await synthesizer.start();
    return await fn(synthesizer, { tree: new DirectoryTree(resolve(io.cwd, dir)) });
  } finally {
    await synthesizer.stop();
  }
}

/** Writes what the deploy repository printed to stderr, each line marked as its output. */
export function relayLogs(logs: string, io: CommandIO): void {
  if (!logs) return;
  io.stderr(logs.replace(/\n$/, '').split('\n').map((l) => `[deploy repo] ${l}\n`).join(''));
}
