// Builds the deploy-repo kit (cdk8s-app/kit) as an npm package, so that a deploy repository
// can `npm install` it and its editor, `tsc` and unit tests see the kit's code and types:
// JavaScript bundled by esbuild (ESM, the libraries left as imports), .d.ts files emitted by
// tsc, and a package.json whose peer dependencies are ranges from the cdk8s, cdk8s-plus-27 and
// constructs versions Keelson provides to synthesis. A deploy repository without packages of
// its own gets the kit from Keelson's worker; one with its own install (ADR 15) runs this one.
//
//   node cdk8s-app/scripts/pack-kit.ts [--out <dir>]    (default .keelson/kit; `make kit`)
//
// Writes <out>/keelson-cdk8s-app-<version>.tgz (npm pack) and prints its path.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(APP_DIR, '..');
const KIT_DIR = join(APP_DIR, 'kit');
/** The libraries the kit builds on; Keelson's worker provides exactly these versions. */
const LIBRARIES = ['cdk8s', 'cdk8s-plus-27', 'constructs'] as const;
const EXACT_VERSION = /^\d+\.\d+\.\d+$/;

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** The exact versions of the libraries: pinned in cdk8s-app/package.json and installed. */
function libraryVersions(manifest: Manifest): Record<string, string> {
  const require = createRequire(join(APP_DIR, 'package.json'));
  const versions: Record<string, string> = {};
  for (const name of LIBRARIES) {
    const pinned = manifest.dependencies?.[name];
    if (!pinned || !EXACT_VERSION.test(pinned)) {
      throw new Error(`cdk8s-app/package.json must pin ${name} to an exact version, not ${JSON.stringify(pinned)}`);
    }
    const installed = (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as Manifest).version;
    if (installed !== pinned) {
      throw new Error(`${name} ${installed} is installed, cdk8s-app/package.json pins ${pinned}: run npm install`);
    }
    versions[name] = pinned;
  }
  return versions;
}

async function bundleJavaScript(outDir: string, version: string): Promise<void> {
  await build({
    entryPoints: [join(KIT_DIR, 'index.ts')],
    outfile: join(outDir, 'index.js'),
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    // Bundling renames clashing names (the kit's App and cdk8s's App); class names stay.
    keepNames: true,
    tsconfigRaw: '{}',
    logLevel: 'warning',
    banner: { js: `// @keelson/cdk8s-app ${version}, built from cdk8s-app/kit by cdk8s-app/scripts/pack-kit.ts` },
  });
}

/**
 * The kit's declarations, emitted by the repository's tsc. Declaration emit keeps the `.ts`
 * of relative imports (`./app.ts`); they are rewritten to `.js` so they name the emitted
 * `.d.ts` files under every module resolution a deploy repository may choose.
 */
function emitDeclarations(buildDir: string, outDir: string): void {
  // The configuration lives in the scratch directory, so @types/node is found by typeRoots.
  const tsconfig = join(buildDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify(
      {
        compilerOptions: {
          target: 'es2022',
          lib: ['es2024'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          strict: true,
          skipLibCheck: true,
          allowImportingTsExtensions: true,
          declaration: true,
          emitDeclarationOnly: true,
          rootDir: KIT_DIR,
          outDir,
        },
        files: [join(KIT_DIR, 'index.ts')],
      },
      null,
      2,
    ),
  );
  const tsc = join(dirname(createRequire(join(ROOT, 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', tsconfig], { cwd: APP_DIR, stdio: 'inherit' });

  const sources = readdirSync(KIT_DIR).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'));
  for (const source of sources) {
    const file = join(outDir, source.replace(/\.ts$/, '.d.ts'));
    const text = readFileSync(file, 'utf8').replace(/(['"])(\.{1,2}\/[^'"]+)\.ts\1/g, '$1$2.js$1');
    writeFileSync(file, text);
  }
}

function packageManifest(manifest: Manifest, libraries: Record<string, string>): object {
  return {
    name: manifest.name,
    version: manifest.version,
    description: 'The Keelson deploy-repo kit: cdk8s constructs for environments, apps, pass secrets, hooks, waves',
    type: 'module',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    types: './dist/index.d.ts',
    files: ['dist'],
    // Ranges from the versions Keelson provides: a deploy repository with its own packages
    // (ADR 15) chooses its cdk8s and constructs; one without runs on exactly these.
    peerDependencies: Object.fromEntries(Object.entries(libraries).map(([name, version]) => [name, `^${version}`])),
  };
}

function readme(manifest: Manifest, libraries: Record<string, string>): string {
  const versions = Object.entries(libraries)
    .map(([name, v]) => `\`${name}\` ${v}`)
    .join(', ');
  return [
    `# ${manifest.name}`,
    '',
    'The Keelson deploy-repo kit: `defineEnvironments`, `Environment`, `App`, `PassSecret`, `Hook`,',
    '`SyncWave` and `Images`. A deploy repository installs it for its editor, `tsc` and its own',
    `tests; Keelson's synthesis provides the kit itself, with ${versions}.`,
    '',
    'How to write a deploy repository: docs/deploy-repo.md in the Keelson repository.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = resolve(values.out ?? join(ROOT, '.keelson', 'kit'));
  const manifest = JSON.parse(readFileSync(join(APP_DIR, 'package.json'), 'utf8')) as Manifest;
  const libraries = libraryVersions(manifest);

  const buildDir = mkdtempSync(join(tmpdir(), 'keelson-kit-'));
  try {
    const packageDir = join(buildDir, 'package');
    const distDir = join(packageDir, 'dist');
    mkdirSync(distDir, { recursive: true });
    await bundleJavaScript(distDir, manifest.version);
    emitDeclarations(buildDir, distDir);
    const packageJson = packageManifest(manifest, libraries);
    writeFileSync(join(packageDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
    writeFileSync(join(packageDir, 'README.md'), readme(manifest, libraries));

    mkdirSync(out, { recursive: true });
    const packed = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
    console.log(join(out, filename));
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}

await main();
