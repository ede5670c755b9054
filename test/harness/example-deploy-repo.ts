// The example deploy repository (cdk8s-app/example) and a pass store for it, served by the
// test Git server: what the end-to-end tests and `make up` deploy.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join, relative } from 'node:path';
import { DirectoryTree } from '../../operator/src/adapters/source/directory-tree.ts';
import { Renderer } from '../../operator/src/adapters/render/renderer.ts';
import { Synthesizer } from '../../operator/src/adapters/synth/synthesizer.ts';
import type { KubeObject } from '../../operator/src/core/manifest.ts';
import type { SynthesizedApp } from '../../operator/src/core/synthesis.ts';
import { ensureBinaries } from './binaries.ts';
import type { GitServer } from './git-server.ts';
import type { GitTestRepo } from './git-test-repo.ts';
import { REPO_ROOT } from './kube.ts';
import { GpgHome, PassStoreDir, TEST_ENTRIES, type GpgKey } from './pass-store.ts';

const run = promisify(execFile);
const EXAMPLE = join(REPO_ROOT, 'cdk8s-app', 'example');

/** The files of the example deploy repository, without its tests and snapshots. */
export function exampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!/\.test\.ts(\.snapshot)?$/.test(name)) files[relative(EXAMPLE, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(EXAMPLE);
  return files;
}

/**
 * Synthesizes one environment of the example as the operator does: its charts and its
 * kustomization rendered by the real helm and kustomize (the chart repository it names is the
 * one with-cluster.ts or `make up` serves). The code cannot be imported into a test process:
 * it uses the enums of the types `cdk8s import` generated, which Node's type stripping refuses.
 */
export async function synthesizeExample(environment: string): Promise<readonly SynthesizedApp[]> {
  const bin = await ensureBinaries();
  const renderDir = mkdtempSync(join(tmpdir(), 'keelson-example-render-'));
  const synthesizer = new Synthesizer({
    cacheDir: join(tmpdir(), 'keelson-test-cache', 'synth'),
    size: 1,
    renderer: new Renderer({ cacheDir: renderDir, helm: bin.helm, kustomize: bin.kustomize }),
  });
  try {
    await synthesizer.start();
    return (await synthesizer.synthesize({ tree: new DirectoryTree(EXAMPLE) }, environment)).result.apps;
  } finally {
    await synthesizer.stop();
    rmSync(renderDir, { recursive: true, force: true });
  }
}

/** Every object of one environment of the example, synthesized as the operator does. */
export async function exampleObjects(environment: string): Promise<KubeObject[]> {
  return (await synthesizeExample(environment)).flatMap((a) => [...a.objects]);
}

/** Pushes the example deploy repository to `server` as `name`. */
export function pushExampleRepo(server: GitServer, name = 'deploy'): Promise<GitTestRepo> {
  return server.createRepo(name, exampleFiles());
}

export interface ExamplePassStore {
  readonly key: GpgKey;
  readonly home: GpgHome;
  readonly commit: string;
  /** Every plaintext value in the store, for leak checks. */
  readonly entries: Readonly<Record<string, string>>;
  dispose(): void;
}

/** A pass store with the entries the example references (dev/*, prod/*), pushed to `server` as `name`. */
export async function pushExamplePassStore(server: GitServer, name = 'pass-store'): Promise<ExamplePassStore> {
  const home = new GpgHome();
  try {
    const key = home.generateKey({ type: 'ed25519', name: 'Keelson Example' });
    const store = new PassStoreDir(home, join(home.dir, 'store'));
    store.init([key]);
    const entries = Object.fromEntries(
      Object.entries(TEST_ENTRIES).filter(([p]) => p.startsWith('dev/') || p.startsWith('prod/')),
    );
    for (const [path, text] of Object.entries(entries)) store.insert(path, text);
    await server.createRepo(name, {});
    // Pushed asynchronously: the Git server runs in this process, and a synchronous push
    // would block the event loop that serves it.
    const commit = store.commitAll('pass store for the example');
    await run('git', [
      '-C',
      store.dir,
      'push',
      '--quiet',
      '--force',
      server.authenticatedUrl(name),
      'HEAD:refs/heads/main',
    ]);
    return { key, home, commit, entries, dispose: () => home.dispose() };
  } catch (err) {
    home.dispose();
    throw err;
  }
}
