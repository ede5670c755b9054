// Synthesis of the example deploy repository (dev): Keelson's warm synthesizer (the operator's
// path) and a cold `npx keelson synth`, against `cdk8s synth` of cdk8s-cli with its default
// ts-node template (what Argo CD's cdk8s plugins run; called directly and through npx), all
// measured in this run. Targets: warm ≥ 50×, cold CLI ≥ 5× faster than `cdk8s synth`. Peak memory
// is the resident set summed over the process tree, sampled every 20 ms in separate runs
// (sampling is not free on 2 cores, so timed runs are not sampled).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryTree } from '../../operator/src/adapters/source/directory-tree.ts';
import { Synthesizer } from '../../operator/src/adapters/synth/synthesizer.ts';
import type { SourceTree } from '../../operator/src/core/source.ts';
import { REPO_ROOT } from '../harness/kube.ts';
import { percentile, report, time } from './report.ts';
import { prepareReference, REFERENCE_APP, REFERENCE_DIR } from './synth-reference.ts';

const COLD_RUNS = 5;
const WARM_RUNS = 40;
const PATH = `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
const example = join(REPO_ROOT, 'cdk8s-app', 'example');

/** Sum of RSS (bytes) of `root` and all its descendants, found through /proc/<pid>/task/<tid>/children. */
function treeRss(root: number): number {
  let total = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    try {
      total += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
        if (children) queue.push(...children.split(' ').map(Number));
      }
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** Calls `fn` while sampling the RSS of `root`'s tree; returns fn's result and the peak. */
async function withPeak<T>(root: () => number | undefined, fn: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = 0;
  const timer = setInterval(() => {
    const pid = root();
    if (pid !== undefined) peak = Math.max(peak, treeRss(pid));
  }, 20);
  try {
    return { value: await fn(), peak };
  } finally {
    clearInterval(timer);
  }
}

/** Runs a command once; returns its duration (ms) and, when `sample` is set, the peak RSS of its process tree. */
async function runCommand(cmd: string, args: string[], cwd: string, env: Record<string, string>, sample: boolean) {
  let pid: number | undefined;
  const t0 = performance.now();
  const exec = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(cmd, args, {
        cwd,
        env: { ...process.env, PATH, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      pid = child.pid;
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr}`)),
      );
    });
  const peak = sample ? (await withPeak(() => pid, exec)).peak : (await exec(), 0);
  return { ms: performance.now() - t0, peak };
}

/** Runs a command `runs` times unsampled, then once sampled; returns sorted durations and the peak tree RSS. */
async function measureCommand(
  cmd: string,
  args: string[],
  cwd: string,
  runs: number,
  env: Record<string, string> = {},
) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push((await runCommand(cmd, args, cwd, env, false)).ms);
  const { peak } = await runCommand(cmd, args, cwd, env, true);
  return { samples: samples.sort((a, b) => a - b), peak };
}

/** The example with a Git-like revision, so the synthesizer caches its bundle as it does for a commit. */
function atRevision(tree: SourceTree, revision: string): SourceTree {
  return { revision, readFile: (p) => tree.readFile(p), readDir: (p) => tree.readDir(p) };
}

prepareReference();

// `cdk8s synth` as a plugin runs it (the CLI installed, called directly), and through npx as
// a developer types it; --no-check-upgrade because this machine has no internet.
const reference = await measureCommand(
  join(REFERENCE_DIR, 'node_modules', '.bin', 'cdk8s'),
  ['synth', '--no-check-upgrade'],
  REFERENCE_APP,
  COLD_RUNS,
  { KEELSON_ENV: 'dev' },
);
const referenceNpx = await measureCommand('npx', ['cdk8s', 'synth', '--no-check-upgrade'], REFERENCE_APP, COLD_RUNS, {
  KEELSON_ENV: 'dev',
});
const cold = await measureCommand(
  'npx',
  ['keelson', 'synth', 'cdk8s-app/example', '--env', 'dev'],
  REPO_ROOT,
  COLD_RUNS,
);

const synthesizer = new Synthesizer({ cacheDir: join(tmpdir(), 'keelson-bench-cache', 'synth'), size: 2 });
await synthesizer.start();
const tree = new DirectoryTree(example);
const committed = atRevision(tree, `main@sha1:${'a'.repeat(40)}`);
const warm = { value: await time(() => synthesizer.synthesize({ tree }, 'dev'), WARM_RUNS, 3) };
const cached = {
  value: await time(() => synthesizer.synthesize({ tree: committed, isolationKey: 'bench' }, 'dev'), WARM_RUNS, 3),
};
const warmMemory = await withPeak(
  () => process.pid,
  () => time(() => synthesizer.synthesize({ tree }, 'dev'), 10, 0),
);
await synthesizer.stop();

const ref = percentile(reference.samples, 50);
const refNpx = percentile(referenceNpx.samples, 50);
const coldP50 = percentile(cold.samples, 50);
const warmP50 = percentile(warm.value, 50);
const cachedP50 = percentile(cached.value, 50);
const mib = (b: number) => b / 1048576;
report('synth', [
  { name: 'reference: cdk8s synth (ts-node template), p50', value: ref, unit: 'ms' },
  { name: 'reference: npx cdk8s synth, p50', value: refNpx, unit: 'ms' },
  { name: 'keelson cold: npx keelson synth, p50', value: coldP50, unit: 'ms' },
  { name: 'keelson warm: synthesizer, bundle + run, p50', value: warmP50, unit: 'ms' },
  { name: 'keelson warm: p90', value: percentile(warm.value, 90), unit: 'ms' },
  { name: 'keelson warm: bundle cached by revision, p50', value: cachedP50, unit: 'ms' },
  {
    name: 'warm speed-up over cdk8s synth',
    value: ref / warmP50,
    unit: '×',
    target: '≥ 50×',
    met: ref / warmP50 >= 50,
  },
  { name: 'warm (bundle cached) speed-up over cdk8s synth', value: ref / cachedP50, unit: '×' },
  {
    name: 'cold CLI speed-up over cdk8s synth',
    value: ref / coldP50,
    unit: '×',
    target: '≥ 5×',
    met: ref / coldP50 >= 5,
  },
  {
    name: 'cold CLI speed-up, npx against npx',
    value: refNpx / coldP50,
    unit: '×',
    target: '≥ 5×',
    met: refNpx / coldP50 >= 5,
  },
  { name: 'peak memory: cdk8s synth process tree', value: mib(reference.peak), unit: 'MiB' },
  { name: 'peak memory: npx keelson synth process tree', value: mib(cold.peak), unit: 'MiB' },
  { name: 'peak memory: warm synthesizer (this process + 2 workers)', value: mib(warmMemory.peak), unit: 'MiB' },
]);
