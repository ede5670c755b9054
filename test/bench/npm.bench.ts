// A deploy repository with its own packages (cdk8s, cdk8s-plus-33 and three construct
// libraries, from a real registry: Verdaccio proxying the public one), all measured in one run:
//  - first install through Keelson's DependencyStore against `npm ci --ignore-scripts` of the
//    same lockfile (each with an empty cache, the registry warm); target ≤ 1.2×;
//  - warm synthesis of a new commit with the lockfile unchanged against the same code with
//    Keelson's own packages; target no more than 5 % slower;
//  - 1,000 Environments (trees) sharing one lockfile: installed once.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyStore } from '../../operator/src/adapters/npm/dependency-store.ts';
import { DirectoryTree } from '../../operator/src/adapters/source/directory-tree.ts';
import { Synthesizer } from '../../operator/src/adapters/synth/synthesizer.ts';
import type { SourceTree } from '../../operator/src/core/source.ts';
import { REPO_ROOT } from '../harness/kube.ts';
import { NpmRegistry } from '../harness/npm-registry.ts';
import { percentile, report, time } from './report.ts';

const RUNS = 5;
const WARM_RUNS = 30;
const ENVIRONMENTS = 1000;
const work = mkdtempSync(join(tmpdir(), 'keelson-bench-npm-'));
const registry = await NpmRegistry.start({ uplink: true });

// Three construct libraries: the fixture and two copies of it under other names.
const libraries = ['acme-constructs', 'acme-storage', 'acme-network'];
for (const name of libraries) {
  const dir = join(work, 'packages', name);
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'npm', 'acme-constructs'), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, name }, null, 2));
  await registry.publish(dir);
}
await registry.publish(join(REPO_ROOT, '.keelson', 'kit', 'keelson-cdk8s-app-0.1.0.tgz'));

const code = (plus: string, own: boolean) => `import { App, defineEnvironments } from '@keelson/cdk8s-app';
import * as kplus from '${plus}';
${own ? libraries.map((l, i) => `import { WebService as W${i} } from '${l}';`).join('\n') : ''}
export default defineEnvironments({
  dev: (env) => {
    const app = new App(env, 'shop');
    for (let i = 0; i < 10; i++) new kplus.Deployment(app, 'd' + i, { containers: [{ image: 'web:' + i }] });
    ${own ? libraries.map((_, i) => `new W${i}(app, 'w${i}', { image: 'acme/w${i}:1' });`).join('\n    ') : ''}
  },
});
`;

/** The deploy repository with its own packages: package.json, lockfile, .npmrc. */
const ownDir = join(work, 'own', 'deploy');
mkdirSync(ownDir, { recursive: true });
writeFileSync(
  join(ownDir, 'package.json'),
  JSON.stringify(
    {
      name: 'deploy',
      private: true,
      dependencies: {
        '@keelson/cdk8s-app': '0.1.0',
        cdk8s: '2.70.106',
        constructs: '10.8.1',
        'cdk8s-plus-33': '2.5.57',
        ...Object.fromEntries(libraries.map((l) => [l, '1.0.0'])),
      },
    },
    null,
    2,
  ),
);
writeFileSync(join(ownDir, '.npmrc'), `registry=${registry.url}\n`);
writeFileSync(join(ownDir, 'main.ts'), code('cdk8s-plus-33', true));
await registry.npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: ownDir });
// The same code on Keelson's own packages (cdk8s-plus-27 and no libraries but the equivalent objects).
const providedDir = join(work, 'provided', 'deploy');
mkdirSync(providedDir, { recursive: true });
writeFileSync(
  join(providedDir, 'main.ts'),
  code('cdk8s-plus-27', false).replace('for (let i = 0; i < 10;', 'for (let i = 0; i < 16;'),
);

// First install: Keelson against npm ci, each from an empty cache; the registry has fetched everything once.
await registry.npm(['ci', '--ignore-scripts'], { cwd: ownDir });
rmSync(join(ownDir, 'node_modules'), { recursive: true, force: true });
let run = 0;
const keelsonInstall = await time(
  async () => {
    const store = new DependencyStore({ cacheDir: join(work, `store-${++run}`) });
    await store.install(new DirectoryTree(join(work, 'own')), 'deploy', () => ({}));
  },
  RUNS,
  1,
);
const npmCi = await time(
  async () => {
    await registry.npm(['ci', '--ignore-scripts'], { cwd: ownDir });
    rmSync(join(ownDir, 'node_modules'), { recursive: true, force: true });
  },
  RUNS,
  1,
);

// Warm synthesis of a new commit, lockfile unchanged: every run a revision never seen before.
let revisions = 0;
const commit = (dir: string): SourceTree => {
  const files = new DirectoryTree(dir);
  revisions++;
  return {
    revision: `main@sha1:${revisions.toString(16).padStart(40, '0')}`,
    readFile: (p) => files.readFile(p),
    readDir: (p) => files.readDir(p),
  };
};
const synthesizer = new Synthesizer({
  cacheDir: join(tmpdir(), 'keelson-bench-cache', 'synth'),
  size: 2,
  timeoutMs: 30_000,
  dependencies: new DependencyStore({ cacheDir: join(work, 'store-synth') }),
});
await synthesizer.start();
await synthesizer.whenStarted();
const synth = (dir: string, key: string) =>
  synthesizer.synthesize({ tree: commit(dir), path: 'deploy', isolationKey: key }, 'dev');
const objects = (await synth(join(work, 'own'), 'own')).result.apps.flatMap((a) => a.objects).length;
const providedObjects = (await synth(join(work, 'provided'), 'provided')).result.apps.flatMap((a) => a.objects).length;
// Interleaved, so both see the same machine; each key keeps its own warm worker (two workers).
const ownWarm: number[] = [];
const providedWarm: number[] = [];
for (let i = 0; i < WARM_RUNS + 3; i++) {
  for (const [dir, key, samples] of [
    [join(work, 'own'), 'own', ownWarm],
    [join(work, 'provided'), 'provided', providedWarm],
  ] as const) {
    const t0 = performance.now();
    await synth(dir, key);
    if (i >= 3) samples.push(performance.now() - t0);
  }
}
await synthesizer.stop();
ownWarm.sort((a, b) => a - b);
providedWarm.sort((a, b) => a - b);

// 1,000 Environments, each its own tree, one lockfile.
const shared = new DependencyStore({ cacheDir: join(work, 'store-shared') });
const t0 = performance.now();
const installs = await Promise.all(
  Array.from({ length: ENVIRONMENTS }, () =>
    shared.install(new DirectoryTree(join(work, 'own')), 'deploy', () => ({})),
  ),
);
const sharedMs = performance.now() - t0;
const entries = readdirSync(join(work, 'store-shared')).filter((n) => !n.startsWith('_'));
const dirs = new Set(installs.map((i) => i?.dir));

await registry.dispose();
rmSync(work, { recursive: true, force: true });

const install = percentile(keelsonInstall, 50);
const ci = percentile(npmCi, 50);
const own = percentile(ownWarm, 50);
const provided = percentile(providedWarm, 50);
report('npm', [
  { name: 'reference: npm ci --ignore-scripts, empty cache, p50', value: ci, unit: 'ms' },
  { name: 'keelson first install (DependencyStore), empty cache, p50', value: install, unit: 'ms' },
  { name: 'first install over npm ci', value: install / ci, unit: '×', target: '≤ 1.2×', met: install / ci <= 1.2 },
  {
    name: `reference: warm synthesis of a new commit, Keelson's packages (${providedObjects} objects), p50`,
    value: provided,
    unit: 'ms',
  },
  {
    name: `warm synthesis of a new commit, own packages, lockfile unchanged (${objects} objects), p50`,
    value: own,
    unit: 'ms',
  },
  {
    name: "own packages over Keelson's",
    value: own / provided,
    unit: '×',
    target: '≤ 1.05×',
    met: own / provided <= 1.05,
  },
  {
    name: `${ENVIRONMENTS} Environments sharing one lockfile: installs made`,
    value: entries.length,
    unit: '',
    target: '1',
    met: entries.length === 1 && dirs.size === 1,
  },
  { name: `${ENVIRONMENTS} Environments sharing one lockfile: all installed in`, value: sharedMs, unit: 'ms' },
]);
