// The operator's runtime tree (operator/scripts/assemble-runtime.sh): what the image holds
// under /app. Tests run the operator and the CLI from it, with the project's Node 24.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
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

/**
 * Where with-cluster.ts assembled the tree once for every test process it runs (one npm install
 * for the whole suite, not one per test file side by side); the tree is never written to after.
 */
export const RUNTIME_TREE_ENV = 'KEELSON_RUNTIME_TREE';

/** The tree with-cluster.ts assembled, or one assembled once per test process into a temporary directory. */
export function runtimeTree(): Promise<RuntimeTree> {
  assembled ??= (async () => {
    const given = process.env[RUNTIME_TREE_ENV];
    if (given) {
      const tree = treeAt(given);
      if (!existsSync(tree.bin))
        throw new Error(`${RUNTIME_TREE_ENV}=${given} holds no runtime tree (${tree.bin} is missing)`);
      return tree;
    }
    return assembleRuntimeTree();
  })();
  return assembled;
}

/** Assembles this checkout's tree into a new temporary directory. */
export async function assembleRuntimeTree(): Promise<RuntimeTree> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-runtime-'));
  await run(join(REPO_ROOT, 'operator', 'scripts', 'assemble-runtime.sh'), [dir], {
    env: process.env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return treeAt(dir);
}

function treeAt(dir: string): RuntimeTree {
  return { dir, bin: join(dir, 'operator', 'bin', 'keelson.js') };
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
      return treeAt(dir);
    })();
    trees.set(revision, tree);
  }
  return tree;
}
