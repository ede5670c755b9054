// Synthesis of an environment with three Helm charts from a chart repository (served by the
// harness), against `helm template --repo` of the same three charts run directly, one after
// another, all measured in this run. Cold: nothing fetched or rendered before (a fresh
// render cache, a new revision; the workers have started before the clock, as in the
// operator). Warm: the same revision again, nothing changed. Targets: warm ≤ 50 ms and ≥ 20×
// faster than helm template; cold within 1.5× of it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DirectoryTree } from '../../operator/src/adapters/source/directory-tree.ts';
import { Renderer } from '../../operator/src/adapters/render/renderer.ts';
import { Synthesizer } from '../../operator/src/adapters/synth/synthesizer.ts';
import type { SourceTree } from '../../operator/src/core/source.ts';
import { ensureBinaries } from '../harness/binaries.ts';
import { ChartRepo } from '../harness/chart-repo.ts';
import { REPO_ROOT } from '../harness/kube.ts';
import { percentile, report, time } from './report.ts';

const run = promisify(execFile);
const RUNS = 8;
const WARM_RUNS = 40;
const CHARTS: readonly [string, string, string][] = [
  ['podinfo-lite', '1.2.0', '{ replicaCount: 2, image: { tag: "2.0.0" } }'],
  ['cache', '0.3.0', '{}'],
  ['crd-maker', '0.1.0', '{}'],
];

const bin = await ensureBinaries();
const repo = await ChartRepo.start();
for (const [name] of CHARTS) await repo.addChart(join(REPO_ROOT, 'test', 'fixtures', 'charts', name));
const scratch = mkdtempSync(join(tmpdir(), 'keelson-bench-charts-'));
const dir = join(scratch, 'deploy');
mkdirSync(dir);
writeFileSync(
  join(dir, 'main.ts'),
  [
    `import { App, defineEnvironments } from '@keelson/cdk8s-app';`,
    `import { Helm } from 'cdk8s';`,
    `export default defineEnvironments({ dev: (env) => {`,
    ...CHARTS.map(
      ([name, version, values]) =>
        `  new Helm(new App(env, '${name}'), 'chart', { chart: '${name}', repo: '${repo.url}', version: '${version}', releaseName: '${name}', values: ${values} });`,
    ),
    `} });`,
  ].join('\n'),
);
const files = new DirectoryTree(dir);
let revisions = 0;
/** The deploy repository at a new made-up commit: cached like a Git revision, never seen before. */
const newRevision = (): SourceTree => {
  revisions++;
  return {
    revision: `main@sha1:${revisions.toString(16).padStart(40, '0')}`,
    readFile: (p) => files.readFile(p),
    readDir: (p) => files.readDir(p),
  };
};

const helmTemplate = async () => {
  for (const [name, version] of CHARTS) {
    await run(bin.helm, ['template', name, name, '--repo', repo.url, '--version', version], {
      env: { HOME: scratch, PATH: process.env.PATH ?? '' },
    });
  }
};
const reference = await time(helmTemplate, RUNS, 1);

// Cold: each run gets a synthesizer with a fresh render cache (started before the clock) and a new revision.
const cold: number[] = [];
for (let i = 0; i <= RUNS; i++) {
  const cacheDir = join(scratch, `cold-${i}`);
  const synthesizer = new Synthesizer({
    cacheDir: join(tmpdir(), 'keelson-bench-cache', 'synth'),
    size: 1,
    renderer: new Renderer({ cacheDir, helm: bin.helm, kustomize: bin.kustomize }),
  });
  await synthesizer.start();
  await synthesizer.whenStarted();
  const tree = newRevision();
  const t0 = performance.now();
  const { result } = await synthesizer.synthesize({ tree, isolationKey: 'bench-cold' }, 'dev');
  if (i > 0) cold.push(performance.now() - t0);
  if (result.apps.flatMap((a) => a.objects).length < 5) throw new Error('the charts rendered too few objects');
  await synthesizer.stop();
  rmSync(cacheDir, { recursive: true, force: true });
}
cold.sort((a, b) => a - b);

const warmSynthesizer = new Synthesizer({
  cacheDir: join(tmpdir(), 'keelson-bench-cache', 'synth'),
  size: 1,
  renderer: new Renderer({ cacheDir: join(scratch, 'warm'), helm: bin.helm, kustomize: bin.kustomize }),
});
await warmSynthesizer.start();
const same = newRevision();
const warm = await time(() => warmSynthesizer.synthesize({ tree: same, isolationKey: 'bench' }, 'dev'), WARM_RUNS, 3);
await warmSynthesizer.stop();
await repo.dispose();
rmSync(scratch, { recursive: true, force: true });

const ref = percentile(reference, 50);
const coldP50 = percentile(cold, 50);
const warmP50 = percentile(warm, 50);
report('charts', [
  { name: 'reference: helm template --repo of the 3 charts, one after another, p50', value: ref, unit: 'ms' },
  { name: 'keelson cold: fetch + render + synthesis, p50', value: coldP50, unit: 'ms' },
  { name: 'keelson warm: nothing changed, p50', value: warmP50, unit: 'ms', target: '≤ 50 ms', met: warmP50 <= 50 },
  { name: 'keelson warm: p90', value: percentile(warm, 90), unit: 'ms' },
  {
    name: 'warm speed-up over helm template',
    value: ref / warmP50,
    unit: '×',
    target: '≥ 20×',
    met: ref / warmP50 >= 20,
  },
  {
    name: 'cold time over helm template',
    value: coldP50 / ref,
    unit: '×',
    target: '≤ 1.5×',
    met: coldP50 / ref <= 1.5,
  },
]);
