// Shared by the benchmarks: timing, peak memory, and the JSON report under .keelson/bench/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/kube.ts';

export interface Measurement {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
  readonly met?: boolean;
}

/** Runs `fn` `runs` times after `warmup` runs; returns the samples in milliseconds, sorted. */
export async function time(fn: () => unknown, runs = 10, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function report(bench: string, measurements: readonly Measurement[]): void {
  const dir = join(REPO_ROOT, '.keelson', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${bench}.json`),
    JSON.stringify({ bench, at: new Date().toISOString(), measurements }, null, 2),
  );
  const width = Math.max(...measurements.map((m) => m.name.length));
  for (const m of measurements) {
    const verdict = m.met === undefined ? '' : m.met ? '  ok' : '  MISSED';
    const target = m.target ? `  (target ${m.target})` : '';
    console.log(`${m.name.padEnd(width)}  ${formatValue(m.value)} ${m.unit}${target}${verdict}`);
  }
}

function formatValue(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}
