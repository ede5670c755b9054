// What the operator benchmark measures besides time: the resident memory and CPU seconds of
// processes (from /proc), and the requests one user sent, from the API server's audit log.
import { readFileSync } from 'node:fs';
import { readAuditLog } from '../harness/audit-log.ts';

/** A process and its descendants, depth first (the ones gone meanwhile left out). */
function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return [pid, ...children.flatMap((c) => processTree(Number(c)))];
  } catch {
    return [];
  }
}

/** A line of /proc/<pid>/status (`VmRSS`, `Name`), or undefined when the process is gone. */
function statusField(pid: number, field: string): string | undefined {
  try {
    return new RegExp(`${field}:\\s+(\\S+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Resident KiB of a process and its descendants now. */
function residentKiB(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + Number(statusField(p, 'VmRSS') ?? 0), 0);
}

/**
 * Proportional KiB (Pss of smaps_rollup) of a process and its descendants now: a page shared
 * by n of them (Node's own code, in the operator and each synthesis worker) counts 1/n in
 * each, so the sum counts it once, as the container's memory cgroup does; summed VmRSS counts
 * it n times.
 */
function proportionalKiB(pid: number): number {
  let sum = 0;
  for (const p of processTree(pid)) {
    try {
      sum += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

export interface MemorySampler {
  /** Stops sampling; the peak of summed VmRSS, MiB. */
  stop(): number;
  /** The peak of summed VmRSS so far, MiB. */
  readonly peakMiB: number;
  /** The peak of summed Pss, MiB (each shared page counted once). */
  readonly peakProportionalMiB: number;
  /** Each process's VmRSS at the sample of the peak, MiB. */
  readonly atPeak: Record<string, number>;
}

/** Samples the resident memory of a process and its descendants every 250 ms. */
export function sampleMemory(pid: number): MemorySampler {
  let peak = 0;
  let peakPss = 0;
  let atPeak: Record<string, number> = {};
  const sample = () => {
    const now = residentKiB(pid);
    if (now > peak) [peak, atPeak] = [now, rssByProcess(pid)];
    peakPss = Math.max(peakPss, proportionalKiB(pid));
  };
  const timer = setInterval(sample, 250);
  return {
    stop: () => (clearInterval(timer), sample(), peak / 1024),
    get peakMiB() {
      return peak / 1024;
    },
    get peakProportionalMiB() {
      return peakPss / 1024;
    },
    get atPeak() {
      return atPeak;
    },
  };
}

/** The resident memory of a process and each of its descendants now, MiB, by `comm pid`. */
export function rssByProcess(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of processTree(pid))
    out[`${statusField(p, 'Name') ?? '?'} ${p}`] = Math.round(Number(statusField(p, 'VmRSS') ?? 0) / 102.4) / 10;
  return out;
}

/** CPU seconds (user + system) used so far by each process and its descendants, by name and pid. */
export function cpuByProcess(pids: readonly number[]): Record<string, number> {
  const ticks = (pid: number): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields 14 to 17 of proc(5): utime, stime, cutime, cstime (reaped children), in 1/100 s.
      return stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .slice(11, 15)
        .reduce((sum, f) => sum + Number(f), 0);
    } catch {
      return 0;
    }
  };
  const out: Record<string, number> = {};
  for (const pid of pids) {
    const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    out[`${name} ${pid}`] = processTree(pid).reduce((sum, p) => sum + ticks(p), 0) / 100;
  }
  return out;
}

export function cpuSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Math.round((v - (before[k] ?? 0)) * 10) / 10]));
}

/** Requests of `user` between `from` and `to` (ms since the epoch): per minute, in all, and by verb and resource. */
export function auditRequests(
  file: string,
  user: string,
  from: number,
  to: number,
): {
  other: number;
  watch: number;
  total: number;
  /** Requests other than watches, in all. */
  requests: number;
  byKind: Record<string, number>;
  /** Requests other than watches by the object they name (`namespace/name`). */
  byObject: Record<string, number>;
} {
  let other = 0;
  let watch = 0;
  const byKind: Record<string, number> = {};
  const byObject: Record<string, number> = {};
  for (const r of readAuditLog(file, user, from, to)) {
    if (r.verb === 'watch') watch++;
    else other++;
    if (r.verb !== 'watch' && r.name) {
      const object = `${r.namespace ?? ''}/${r.name}`;
      byObject[object] = (byObject[object] ?? 0) + 1;
    }
    const kind = `${r.verb}${r.dryRun ? ' (dry run)' : ''} ${r.resource}`;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  const minutes = (to - from) / 60_000;
  return { other: other / minutes, watch: watch / minutes, total: other + watch, requests: other, byKind, byObject };
}
