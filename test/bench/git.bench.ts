// The Git source against native git, on one repository of 2,000 commits and 5,000 files
// served by the test Git server (git http-backend), all in one run:
//  - warm refresh: detect-and-fetch of one new commit by Keelson (in-process, warm cache)
//    vs `git fetch` of the native client in a clone; target ≤ 100 ms and ≤ 3× native;
//  - first clone: Keelson (shallow, in a fresh process) vs `git clone --depth 1` and a full
//    `git clone`: time and peak memory;
//  - reading every one of the 5,000 files of the artifact from the object store.
//   make bench BENCH=git
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitSource } from '../../operator/src/adapters/git/git-source.ts';
import type { SourceTree } from '../../operator/src/core/source.ts';
import { GitServer } from '../harness/git-server.ts';
import { percentile, report, type Measurement } from './report.ts';

const COMMITS = 2000;
const FILES = 5000;
const RUNS = 15;

/** Child mode: one cold shallow clone and a read of every file, in a fresh process. */
if (process.argv[2] === '--cold') {
  const [url, username, password, dir] = process.argv.slice(3) as [string, string, string, string];
  const source = new GitSource({ cacheDir: dir });
  const baselineMiB = process.memoryUsage().rss / 1024 / 1024;
  const t0 = performance.now();
  const { artifact } = await source.refresh({ url, credentials: { username, password } });
  const cloneMs = performance.now() - t0;
  const t1 = performance.now();
  const files = await readAll(artifact, '');
  const readMs = performance.now() - t1;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ cloneMs, readMs, files, maxRssMiB, baselineMiB }));
  process.exit(0);
}

async function readAll(tree: SourceTree, dir: string): Promise<number> {
  let count = 0;
  for (const entry of (await tree.readDir(dir)) ?? []) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.type === 'dir') count += await readAll(tree, path);
    else if (await tree.readFile(path)) count++;
  }
  return count;
}

/** Runs a command; returns its wall time in ms and, through /usr/bin/time, its peak RSS in MiB. */
async function measured(
  cmd: string,
  args: string[],
  cwd?: string,
): Promise<{ ms: number; maxRssMiB: number; stdout: string }> {
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', cmd, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr}`);
  const kib = Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? NaN);
  return { ms, maxRssMiB: kib / 1024, stdout };
}

const server = await GitServer.start();
const work = mkdtempSync(join(tmpdir(), 'keelson-bench-git-'));
try {
  const repo = await server.createRepo('big', {});
  const g0 = performance.now();
  await repo.generateHistory({ commits: COMMITS, files: FILES });
  console.log(`generated ${COMMITS} commits, ${FILES} files in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  const authUrl = server.authenticatedUrl('big');
  const { username, password } = server.credentials;

  // First clone: Keelson in a fresh process (cold), native shallow and full clones.
  const cold = JSON.parse(
    (
      await measured(process.execPath, [process.argv[1]!, '--cold', repo.url, username, password, join(work, 'cold')])
    ).stdout.trim(),
  ) as { cloneMs: number; readMs: number; files: number; maxRssMiB: number; baselineMiB: number };
  if (cold.files !== FILES) throw new Error(`read ${cold.files} files, expected ${FILES}`);
  const nativeShallow = await measured('git', [
    'clone',
    '--quiet',
    '--bare',
    '--depth',
    '1',
    authUrl,
    join(work, 'native-shallow'),
  ]);
  const nativeFull = await measured('git', ['clone', '--quiet', authUrl, join(work, 'native-full')]);

  // Warm refresh: one new commit at a time, Keelson and native git in turn.
  const source = new GitSource({ cacheDir: join(work, 'warm') });
  const req = { url: repo.url, credentials: { username, password } };
  await source.refresh(req);
  const keelson: number[] = [];
  const native: number[] = [];
  const clone = join(work, 'native-full');
  for (let i = 0; i < RUNS + 2; i++) {
    const a = await repo.commit({ [`dir-${i % 50}/file-${i}.txt`]: `warm change ${i} for keelson\n` }, `keelson ${i}`);
    const t0 = performance.now();
    const { artifact, fetched } = await source.refresh(req);
    const ms = performance.now() - t0;
    if (!fetched || artifact.commit !== a) throw new Error('the warm refresh did not fetch the new commit');
    await repo.commit({ [`dir-${i % 50}/file-${i + 1}.txt`]: `warm change ${i} for git\n` }, `git ${i}`);
    const n = await measured('git', ['fetch', '--quiet', 'origin'], clone);
    if (i >= 2) {
      keelson.push(ms);
      native.push(n.ms);
    }
  }
  keelson.sort((x, y) => x - y);
  native.sort((x, y) => x - y);
  const k50 = percentile(keelson, 50);
  const n50 = percentile(native, 50);
  const noop = [] as number[];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await source.refresh(req);
    noop.push(performance.now() - t0);
  }
  noop.sort((x, y) => x - y);

  const warm = await source.refresh(req);
  const r0 = performance.now();
  await readAll(warm.artifact, '');
  const warmReadMs = performance.now() - r0;

  const measurements: Measurement[] = [
    { name: 'warm refresh, one new commit: keelson p50', value: k50, unit: 'ms', target: '≤ 100 ms', met: k50 <= 100 },
    { name: 'warm refresh, one new commit: keelson p90', value: percentile(keelson, 90), unit: 'ms' },
    { name: 'warm refresh, one new commit: git fetch p50 (reference)', value: n50, unit: 'ms' },
    {
      name: 'warm refresh ratio keelson / git fetch (p50)',
      value: k50 / n50,
      unit: '×',
      target: '≤ 3×',
      met: k50 / n50 <= 3,
    },
    { name: 'unchanged ref check (ls-refs only): keelson p50', value: percentile(noop, 50), unit: 'ms' },
    { name: `first clone (shallow), ${COMMITS} commits / ${FILES} files: keelson`, value: cold.cloneMs, unit: 'ms' },
    { name: 'first clone: git clone --depth 1 (reference)', value: nativeShallow.ms, unit: 'ms' },
    { name: 'first clone ratio keelson / git clone --depth 1', value: cold.cloneMs / nativeShallow.ms, unit: '×' },
    { name: 'first clone: git clone, full history', value: nativeFull.ms, unit: 'ms' },
    { name: 'first clone peak memory: keelson process (clone + read all)', value: cold.maxRssMiB, unit: 'MiB' },
    { name: 'first clone: keelson process RSS before the clone (baseline)', value: cold.baselineMiB, unit: 'MiB' },
    { name: 'first clone peak memory: git clone --depth 1', value: nativeShallow.maxRssMiB, unit: 'MiB' },
    { name: 'first clone peak memory: git clone, full', value: nativeFull.maxRssMiB, unit: 'MiB' },
    { name: `read all ${FILES} files of an artifact, cold process`, value: cold.readMs, unit: 'ms' },
    { name: `read all ${FILES} files of an artifact, warm`, value: warmReadMs, unit: 'ms' },
  ];
  report('git', measurements);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
