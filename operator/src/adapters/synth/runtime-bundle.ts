// The runtime bundle: the synthesis worker with the kit, cdk8s, cdk8s-plus-27 and constructs
// in one CommonJS file, built by esbuild from Keelson's own node_modules. A worker process
// then reads exactly one file, so Node's permission model can deny it every other one, and a
// deploy repository needs no `npm install`. Built once per content hash and cached on disk.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { PROVIDED_MODULES } from './protocol.ts';
import { loadEsbuild } from './deploy-bundle.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Builds the runtime bundle into `cacheDir` unless a bundle of the same inputs is there; returns its path. */
export async function ensureRuntimeBundle(cacheDir: string): Promise<string> {
  const file = join(cacheDir, `synth-runtime-${await inputHash()}.cjs`);
  if (await exists(file)) return file;
  const { build } = loadEsbuild();
  const result = await build({
    entryPoints: [join(here, 'worker-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    write: false,
    outfile: file,
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [hostModules()],
  });
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, result.outputFiles[0]!.contents);
  await rename(tmp, file);
  return file;
}

/** The modules of worker-host.ts that stand in for each Node module the libraries import. */
const HOST_MODULES: Readonly<Record<string, string>> = {
  fs: 'hostFs',
  os: 'hostOs',
  child_process: 'hostChildProcess',
  process: 'hostProcess',
};
const LIBRARY = /[\\/]node_modules[\\/](cdk8s|cdk8s-plus-27)[\\/]|[\\/]cdk8s-app[\\/]kit[\\/]/;

/** cdk8s, cdk8s-plus-27 and the kit get worker-host.ts's fs, os, child_process and process instead of Node's. */
function hostModules(): Plugin {
  const host = JSON.stringify(join(here, 'worker-host.ts'));
  return {
    name: 'keelson-worker-host',
    setup(b) {
      b.onResolve({ filter: /^(node:)?(fs|os|child_process|process)$/ }, (args) =>
        LIBRARY.test(args.importer) ? { path: args.path.replace(/^node:/, ''), namespace: 'keelson-host' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'keelson-host' }, (args) => ({
        contents: `module.exports = require(${host}).${HOST_MODULES[args.path]};`,
        loader: 'js',
        resolveDir: here,
      }));
    },
  };
}

/**
 * A hash over everything that goes into the bundle (the worker's and the kit's sources, the
 * library versions) and the Node version, whose V8 must accept the code cache kept beside it.
 */
async function inputHash(): Promise<string> {
  const hash = createHash('sha256').update(process.version);
  const kitDir = dirname(fileURLToPath(import.meta.resolve('@keelson/cdk8s-app')));
  for (const dir of [here, kitDir]) {
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) {
      hash.update(name).update(await readFile(join(dir, name)));
    }
  }
  for (const name of [...PROVIDED_MODULES, 'esbuild']) {
    if (name === '@keelson/cdk8s-app' || name === 'path') continue;
    const pkg = JSON.parse(await readFile(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
    hash.update(`${name}@${pkg.version}`);
  }
  return hash.digest('hex').slice(0, 16);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
