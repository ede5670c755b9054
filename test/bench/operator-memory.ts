// What the fleet benchmark reads of the operator's memory: its resident size once idle, a heap
// snapshot with where the heap is, and the operator's own account from its /metrics.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarizeHeap } from './heap-summary.ts';
import { sampleMemory } from './process-stats.ts';

/** The operator's resident memory once started and idle (the least of a few samples), MiB. */
export async function settledMemory(pid: number): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 4; i++) {
    const probe = sampleMemory(pid);
    await sleep(300);
    least = Math.min(least, probe.stop());
  }
  return least;
}

/** Asks the operator for a heap snapshot (SIGUSR2) and prints where its heap is. */
export async function heapSnapshot(pid: number, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  let file: string | undefined;
  let size = -1;
  // Written in one go by the operator's main thread; done once its size holds still.
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    file ??= readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    const now = statSync(join(dir, file)).size;
    if (now === size && now > 0) break;
    size = now;
  }
  if (!file) return console.log('no heap snapshot was written');
  const { total, rows } = summarizeHeap(join(dir, file));
  console.log(`operator heap once synced: ${(total / 2 ** 20).toFixed(1)} MiB (${join(dir, file)})`);
  for (const r of rows.slice(0, 20))
    console.log(`${(r.bytes / 2 ** 20).toFixed(1).padStart(8)} MiB ${String(r.count).padStart(9)}  ${r.what}`);
}

/** The operator's own account of its memory, from its /metrics (prom-client's process metrics), MiB. */
export function memoryKinds(metrics: string): Record<string, number> {
  const metricNames = [
    'process_resident_memory_bytes',
    'nodejs_heap_size_total_bytes',
    'nodejs_heap_size_used_bytes',
    'nodejs_external_memory_bytes',
    'nodejs_heap_space_size_used_bytes\\{space="(\\w+)"\\}',
  ];
  const memoryLine = new RegExp(`^keelson_(${metricNames.join('|')}) (\\S+)$`);
  const out: Record<string, number> = {};
  for (const line of metrics.split('\n')) {
    const m = memoryLine.exec(line);
    if (m) out[m[2] ? `heap space ${m[2]}` : m[1]!] = Math.round(Number(m[3]) / 104857.6) / 10;
  }
  return out;
}
