// Synthesis of the example deploy repository (dev): Keelson's warm synthesizer (the operator's
// path) and a cold `npx keelson synth`, against `npx cdk8s synth` of cdk8s-cli with its default
// ts-node template (what Argo CD's cdk8s plugins run), all measured in this run. Peak memory
// is the resident set summed over the process tree, sampled every 10 ms.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryTree } from '../../operator/src/adapters/source/directory-tree.ts';
import { Synthesizer } from '../../operator/src/adapters/synth/synthesizer.ts';
import type { SourceTree } from '../../operator/src/core/source.ts';
import { REPO_ROOT } from '../harness/kube.ts';
import { percentile, report, time } from './report.ts';
import { prepareReference, REFERENCE_APP } from './synth-reference.ts';

const COLD_RUNS = 5;
const WARM_RUNS = 40;
const PATH = `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
const example = join(REPO_ROOT, 'cdk8s-app', 'example');

/** Sum of RSS (bytes) of `root` and all its descendants. */
function treeRss(root: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      rss.set(pid, Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  for (const [pid, bytes] of rss) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += bytes;
        break;
      }
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
  }, 10);
  try {
    return { value: await fn(), peak };
  } finally {
    clearInterval(timer);
  }
}

/** Runs a command `runs` times; returns sorted durations (ms) and the peak tree RSS over all runs. */
async function measureCommand(cmd: string, args: string[], cwd: string, runs: number, env: Record<string, string> = {}) {
  const samples: number[] = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    let pid: number | undefined;
    const t0 = performance.now();
    const run = await withPeak(() => pid, () => new Promise<void>((resolve, reject) => {
      const child = spawn(cmd, args, { cwd, env: { ...process.env, PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      pid = child.pid;
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr}`))));
    }));
    samples.push(performance.now() - t0);
    peak = Math.max(peak, run.peak);
  }
  return { samples: samples.sort((a, b) => a - b), peak };
}

/** The example with a Git-like revision, so the synthesizer caches its bundle as it does for a commit. */
function atRevision(tree: SourceTree, revision: string): SourceTree {
  return { revision, readFile: (p) => tree.readFile(p), readDir: (p) => tree.readDir(p) };
}

prepareReference();

const reference = await measureCommand('npx', ['cdk8s', 'synth', '--no-check-upgrade'], REFERENCE_APP, COLD_RUNS, { KEELSON_ENV: 'dev' });
const cold = await measureCommand('npx', ['keelson', 'synth', 'cdk8s-app/example', '--env', 'dev'], REPO_ROOT, COLD_RUNS);

const synthesizer = new Synthesizer({ cacheDir: join(tmpdir(), 'keelson-bench-cache', 'synth'), size: 2 });
await synthesizer.start();
const tree = new DirectoryTree(example);
const committed = atRevision(tree, `main@sha1:${'a'.repeat(40)}`);
const warm = await withPeak(() => process.pid, () => time(() => synthesizer.synthesize({ tree }, 'dev'), WARM_RUNS, 3));
const cached = await withPeak(() => process.pid, () => time(() => synthesizer.synthesize({ tree: committed, isolationKey: 'bench' }, 'dev'), WARM_RUNS, 3));
await synthesizer.stop();

const ref = percentile(reference.samples, 50);
const coldP50 = percentile(cold.samples, 50);
const warmP50 = percentile(warm.value, 50);
const cachedP50 = percentile(cached.value, 50);
const mib = (b: number) => b / 1048576;
report('synth', [
  { name: 'reference: npx cdk8s synth (ts-node template), p50', value: ref, unit: 'ms' },
  { name: 'keelson cold: npx keelson synth, p50', value: coldP50, unit: 'ms' },
  { name: 'keelson warm: synthesizer, bundle + run, p50', value: warmP50, unit: 'ms' },
  { name: 'keelson warm: synthesizer, bundle cached by revision, p50', value: cachedP50, unit: 'ms' },
  { name: 'keelson warm: p90', value: percentile(warm.value, 90), unit: 'ms' },
  { name: 'cold CLI speed-up over the reference', value: ref / coldP50, unit: '×', target: '≥ 5×', met: ref / coldP50 >= 5 },
  { name: 'warm speed-up over the reference', value: ref / warmP50, unit: '×', target: '≥ 50×', met: ref / warmP50 >= 50 },
  { name: 'warm (bundle cached) speed-up over the reference', value: ref / cachedP50, unit: '×' },
  { name: 'peak memory: reference process tree', value: mib(reference.peak), unit: 'MiB' },
  { name: 'peak memory: keelson CLI process tree', value: mib(cold.peak), unit: 'MiB' },
  { name: 'peak memory: warm synthesizer (this process + 2 workers)', value: mib(Math.max(warm.peak, cached.peak)), unit: 'MiB' },
]);
