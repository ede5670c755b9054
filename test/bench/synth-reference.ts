// The reference for the synthesis benchmark: the example deploy repository as a cdk8s-cli
// project from the default TypeScript template (`app: npx ts-node main.ts`, the template's
// tsconfig), which is what Argo CD's cdk8s plugins run. It lives outside the repository
// (~/.cache/keelson/bench/cdk8s-cli) with its own cdk8s-cli, ts-node and TypeScript 5.x.
//
// Mechanical differences from the example, so that ts-node can run it: relative imports lose
// their `.ts` extension (TypeScript 5 in CommonJS mode refuses them); the kit is compiled to
// a JS package with .d.ts, as a published kit would be; and main.ts is a four-line runner that
// builds the environment named by KEELSON_ENV and calls `synth()`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/kube.ts';

const TOOLS = ['cdk8s-cli@2.207.60', 'ts-node@10.9.2', 'typescript@5.9.3', '@types/node@24.19.2'];
const LIBRARIES = ['cdk8s', 'cdk8s-plus-27', 'constructs'];

export const REFERENCE_DIR = join(
  process.env.KEELSON_CACHE ?? join(homedir(), '.cache', 'keelson'),
  'bench',
  'cdk8s-cli',
);
/** The cdk8s project to run `npx cdk8s synth` in. */
export const REFERENCE_APP = join(REFERENCE_DIR, 'app');

const RUNNER = `import { Environment, type EnvironmentBuilder } from '@keelson/cdk8s-app';
import environments from './environments';
import images = require('./images.json');

const env = new Environment({ name: process.env.KEELSON_ENV ?? 'dev', images });
(environments as Record<string, EnvironmentBuilder>)[env.name]!(env);
env.synth();
`;

/** Installs the reference toolchain (once), compiles the kit and writes the project (when they changed). */
export function prepareReference(): void {
  const versions = LIBRARIES.map((l) => `${l}@${versionOf(join(REPO_ROOT, 'node_modules', l))}`);
  const marker = join(REFERENCE_DIR, `.installed-${hash([...TOOLS, ...versions].join(' '))}`);
  if (!existsSync(marker)) {
    mkdirSync(REFERENCE_DIR, { recursive: true });
    writeFileSync(join(REFERENCE_DIR, 'package.json'), '{ "name": "keelson-bench-reference", "private": true }\n');
    console.log(`installing the reference (${[...TOOLS, ...versions].join(', ')}) in ${REFERENCE_DIR}`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', ...TOOLS, ...versions], {
      cwd: REFERENCE_DIR,
      stdio: 'inherit',
    });
    writeFileSync(marker, '');
  }
  const kitDir = join(REPO_ROOT, 'cdk8s-app', 'kit');
  const kitSources = readdirSync(kitDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  const kitHash = hash(kitSources.map((f) => readFileSync(join(kitDir, f), 'utf8')).join('\0'));
  const kitOut = join(REFERENCE_DIR, 'node_modules', '@keelson', 'cdk8s-app');
  if (!existsSync(join(kitOut, `.built-${kitHash}`))) {
    const src = join(REFERENCE_DIR, 'kit-src');
    rmSync(src, { recursive: true, force: true });
    rmSync(kitOut, { recursive: true, force: true });
    mkdirSync(src, { recursive: true });
    for (const f of kitSources)
      writeFileSync(join(src, f), withoutTsExtensions(readFileSync(join(kitDir, f), 'utf8'), '.js'));
    execFileSync(
      join(REFERENCE_DIR, 'node_modules', '.bin', 'tsc'),
      [
        '--outDir',
        kitOut,
        '--declaration',
        '--module',
        'commonjs',
        '--moduleResolution',
        'node10',
        '--target',
        'es2022',
        '--strict',
        '--skipLibCheck',
        ...kitSources.map((f) => join(src, f)),
      ],
      { stdio: 'inherit' },
    );
    writeFileSync(
      join(kitOut, 'package.json'),
      '{ "name": "@keelson/cdk8s-app", "version": "0.1.0", "main": "index.js", "types": "index.d.ts" }\n',
    );
    writeFileSync(join(kitOut, `.built-${kitHash}`), '');
  }
  const example = join(REPO_ROOT, 'cdk8s-app', 'example');
  rmSync(REFERENCE_APP, { recursive: true, force: true });
  mkdirSync(join(REFERENCE_APP, 'apps'), { recursive: true });
  for (const f of ['settings.ts', ...readdirSync(join(example, 'apps')).map((a) => `apps/${a}`)]) {
    writeFileSync(join(REFERENCE_APP, f), withoutTsExtensions(readFileSync(join(example, f), 'utf8'), ''));
  }
  writeFileSync(
    join(REFERENCE_APP, 'environments.ts'),
    withoutTsExtensions(readFileSync(join(example, 'main.ts'), 'utf8'), ''),
  );
  cpSync(join(example, 'images.json'), join(REFERENCE_APP, 'images.json'));
  writeFileSync(join(REFERENCE_APP, 'main.ts'), RUNNER);
  const template = join(REFERENCE_DIR, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
  cpSync(join(template, 'tsconfig.json'), join(REFERENCE_APP, 'tsconfig.json'));
  writeFileSync(join(REFERENCE_APP, 'cdk8s.yaml'), 'language: typescript\napp: npx ts-node main.ts\n');
}

function withoutTsExtensions(source: string, replacement: string): string {
  return source.replace(/from '(\.[^']*)\.ts'/g, `from '$1${replacement}'`);
}

function versionOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
