// The resident memory of a child process, read from /proc: what the synthesis workers and
// the rendering tools are killed by when they pass their limit.
import { readFileSync } from 'node:fs';

const PAGE_SIZE = 4096;

/** Resident bytes of `pid`; 0 when it cannot be read (not Linux, or the process is gone). */
export function residentBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_SIZE;
  } catch {
    return 0;
  }
}
