// Small formatting helpers: relative ages, short revisions, the policy of an Environment and
// the state of a GitRepository.
import type { Environment, GitRepositoryRow, HealthStatus, Policy, ResourceStatus } from './types.ts';

const UNITS: readonly [number, string][] = [
  [60, 's'],
  [60, 'm'],
  [24, 'h'],
  [30, 'd'],
  [12, 'mo'],
  [Number.POSITIVE_INFINITY, 'y'],
];

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago", "in 5m"; "" for a missing or bad time. */
export function relativeTime(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((now - then) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 10) return 'just now';
  let value = abs;
  for (const [size, unit] of UNITS) {
    if (value < size) return seconds > 0 ? `${value}${unit} ago` : `in ${value}${unit}`;
    value = Math.floor(value / size);
  }
  return '';
}

const SHA1 = /^(?:(.*)@)?(?:sha1:)?([0-9a-f]{40})$/;

/** The commit id in a revision ("main@sha1:<40 hex>" or a bare 40-hex id), else undefined. */
export function commitOf(revision: string | undefined): string | undefined {
  return revision ? SHA1.exec(revision)?.[2] : undefined;
}

/** "main@sha1:0123456789…" → "main@0123456"; a bare commit → its first 7 digits; else as given. */
export function shortRevision(revision: string | undefined): string {
  if (!revision) return '';
  const m = SHA1.exec(revision);
  if (!m) return revision;
  const short = m[2]!.slice(0, 7);
  return m[1] ? `${m[1]}@${short}` : short;
}

/** The policy the overview shows, computed from a full Environment as the server does for rows. */
export function policyOf(env: Environment): Policy {
  if (env.spec.suspend) return 'suspended';
  if (env.metadata.annotations?.['keelson.dev/auto-sync-paused'] !== undefined) return 'paused';
  return env.spec.sync?.automated ? 'automated' : 'manual';
}

/** A resource's health as status and message, whether the API gives a string or an object. */
export function resourceHealth(r: ResourceStatus): { status?: HealthStatus; message?: string } {
  if (typeof r.health === 'string') return { status: r.health };
  return r.health ?? {};
}

/** Groups by a key, keeping the order of first appearance. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups];
}

/** A GitRepository's state in one word: Suspended, Ready, FetchFailed, NotReady or Unknown. */
export function repositoryState(row: GitRepositoryRow): string {
  if (row.suspend) return 'Suspended';
  if (row.fetchFailed !== undefined) return 'FetchFailed';
  if (row.ready.status === 'True') return 'Ready';
  return row.ready.status === 'False' ? 'NotReady' : 'Unknown';
}
