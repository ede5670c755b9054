// The operator's runtime tree (operator/scripts/assemble-runtime.sh): what the image holds
// under /app. Tests run the operator and the CLI from it, with the project's Node 24.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './kube.ts';

const run = promisify(execFile);

export interface RuntimeTree {
  readonly dir: string;
  /** The `keelson` entry point inside the tree. */
  readonly bin: string;
}

let assembled: Promise<RuntimeTree> | undefined;

/** Assembles the tree once per test process into a temporary directory. */
export function runtimeTree(): Promise<RuntimeTree> {
  assembled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-runtime-'));
    await run(join(REPO_ROOT, 'operator', 'scripts', 'assemble-runtime.sh'), [dir], {
      env: process.env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { dir, bin: join(dir, 'operator', 'bin', 'keelson.js') };
  })();
  return assembled;
}

const trees = new Map<string, Promise<RuntimeTree>>();

/**
 * The runtime tree of an earlier commit (say, the release before this one), assembled by that
 * commit's own script from `git archive`: what its image held, to run it and upgrade from it.
 */
export function runtimeTreeAt(revision: string): Promise<RuntimeTree> {
  let tree = trees.get(revision);
  if (!tree) {
    tree = (async () => {
      const source = mkdtempSync(join(tmpdir(), `keelson-source-${revision}-`));
      const archive = join(source, 'source.tar');
      const paths = ['package.json', 'package-lock.json', 'operator', 'cdk8s-app'];
      await run('git', ['-C', REPO_ROOT, 'archive', '--output', archive, revision, ...paths]);
      await run('tar', ['-xf', archive, '-C', source]);
      const dir = mkdtempSync(join(tmpdir(), `keelson-runtime-${revision}-`));
      await run(join(source, 'operator', 'scripts', 'assemble-runtime.sh'), [dir], {
        env: process.env,
        maxBuffer: 16 * 1024 * 1024,
      });
      return { dir, bin: join(dir, 'operator', 'bin', 'keelson.js') };
    })();
    trees.set(revision, tree);
  }
  return tree;
}
