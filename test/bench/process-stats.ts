// What the operator benchmark measures besides time: the resident memory and CPU seconds of
// processes (from /proc), and the requests one user sent, from the API server's audit log.
import { readFileSync } from 'node:fs';

/** Samples the resident memory of a process and its descendants every 250 ms; stop() gives the peak in MiB. */
export function sampleMemory(pid: number): { stop(): number } {
  let peak = 0;
  const rss = (p: number): number => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      return kb + children.reduce((sum, c) => sum + rss(c), 0);
    } catch {
      return 0;
    }
  };
  const timer = setInterval(() => (peak = Math.max(peak, rss(pid))), 250);
  return { stop: () => (clearInterval(timer), Math.max(peak, rss(pid)) / 1024) };
}

/** The resident memory of a process and each of its descendants now, MiB, by `comm pid`. */
export function rssByProcess(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  const visit = (p: number): void => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const name = /Name:\s+(\S+)/.exec(status)?.[1] ?? '?';
      out[`${name} ${p}`] = Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 102.4) / 10;
      for (const c of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean))
        visit(Number(c));
    } catch {
      // gone meanwhile
    }
  };
  visit(pid);
  return out;
}

/** CPU seconds (user + system) used so far by each process and its descendants, by name and pid. */
export function cpuByProcess(pids: readonly number[]): Record<string, number> {
  const ticks = (pid: number): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields 14 to 17 of proc(5): utime, stime, cutime, cstime (reaped children), in 1/100 s.
      const own = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .slice(11, 15)
        .reduce((sum, f) => sum + Number(f), 0);
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      return own + children.reduce((sum, c) => sum + ticks(c), 0);
    } catch {
      return 0;
    }
  };
  const out: Record<string, number> = {};
  for (const pid of pids) {
    const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    out[`${name} ${pid}`] = ticks(pid) / 100;
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
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as {
      user?: { username?: string };
      verb?: string;
      stage?: string;
      requestURI?: string;
      requestReceivedTimestamp?: string;
      objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
    };
    if (e.user?.username !== user || e.stage === 'ResponseStarted') continue;
    const at = Date.parse(e.requestReceivedTimestamp ?? '');
    if (at < from || at > to) continue;
    if (e.verb === 'watch') watch++;
    else other++;
    if (e.verb !== 'watch' && e.objectRef?.name) {
      const object = `${e.objectRef.namespace ?? ''}/${e.objectRef.name}`;
      byObject[object] = (byObject[object] ?? 0) + 1;
    }
    const sub = e.objectRef?.subresource ? `/${e.objectRef.subresource}` : '';
    const kind = `${e.verb}${e.requestURI?.includes('dryRun=') ? ' (dry run)' : ''} ${e.objectRef?.resource ?? ''}${sub}`;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  const minutes = (to - from) / 60_000;
  return { other: other / minutes, watch: watch / minutes, total: other + watch, requests: other, byKind, byObject };
}
