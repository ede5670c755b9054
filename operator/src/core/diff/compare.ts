// Desired against live, per resource. With the server-side apply dry-run result
// (`predicted`: live with desired applied, defaults filled in) the comparison is exact:
// predicted equals live means applying would change nothing. Without it (in memory, no
// API), every field the desired object sets must equal the live one.
import type { KubeObject } from '../manifest.ts';
import { formatKey, keyOf } from '../manifest.ts';
import { formatPointer, ignoredPointers, type IgnoreDifference } from './ignore-rules.ts';
import { normalizeForDiff } from './normalize.ts';
import { isSecretPath } from './secret-data.ts';

export type ComparisonStatus = 'Synced' | 'OutOfSync';

export interface FieldChange {
  /** JSON pointer of the field. */
  readonly path: string;
  readonly desired?: unknown;
  readonly live?: unknown;
  /** Secret material: values are left out. */
  readonly redacted?: boolean;
}

export interface ResourceComparison {
  /** formatKey of the object. */
  readonly key: string;
  readonly status: ComparisonStatus;
  /** Missing: not in the cluster; Extra: in the cluster but no longer desired; Drift: fields differ. */
  /** Deleting: the live object is being deleted (deletionTimestamp set); a sync makes it again once it is gone. */
  readonly reason?: 'Missing' | 'Extra' | 'Drift' | 'Deleting';
  readonly changes: readonly FieldChange[];
}

export interface CompareOptions {
  readonly desired?: KubeObject;
  readonly live?: KubeObject;
  /** The server-side apply dry-run result of `desired` against the cluster. */
  readonly predicted?: KubeObject;
  readonly ignoreRules?: readonly IgnoreDifference[];
}

type Path = (string | number)[];

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return (typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')
    ? String(a) === String(b)
    : false;
}

/** Every path where `live` differs from `want`; `subset` ignores fields `want` does not set. */
function diffValues(want: unknown, live: unknown, path: Path, subset: boolean, out: Path[]): void {
  if (isRecord(want) && isRecord(live)) {
    for (const k in want) {
      path.push(k);
      diffValues(want[k], live[k], path, subset, out);
      path.pop();
    }
    if (!subset) for (const k in live) if (!(k in want)) out.push([...path, k]);
    return;
  }
  if (Array.isArray(want) && Array.isArray(live)) {
    if (want.length !== live.length) {
      out.push([...path]);
      return;
    }
    for (let i = 0; i < want.length; i++) {
      path.push(i);
      diffValues(want[i], live[i], path, subset, out);
      path.pop();
    }
    return;
  }
  if (subset && want === undefined) return;
  if (isRecord(want) || isRecord(live) || Array.isArray(want) || Array.isArray(live) || !sameScalar(want, live))
    out.push([...path]);
}

function valueAt(obj: unknown, path: Path): unknown {
  let node = obj;
  for (const t of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[t];
  }
  return node;
}

/** Sync status and changed fields of one resource. Secret values never appear in the result. */
export function compareResource(options: CompareOptions): ResourceComparison {
  const { desired, live, predicted } = options;
  const obj = desired ?? live;
  if (!obj) throw new Error('compareResource needs a desired or a live object');
  const key = formatKey(keyOf(obj));
  if (!desired) return { key, status: 'OutOfSync', reason: 'Extra', changes: [] };
  if (!live) return { key, status: 'OutOfSync', reason: 'Missing', changes: [] };
  // An object on its way out matches nothing: a CRD terminating still looks like the desired one.
  if (live.metadata.deletionTimestamp) return { key, status: 'OutOfSync', reason: 'Deleting', changes: [] };
  const ignore = ignoredPointers(desired, options.ignoreRules);
  const want = normalizeForDiff(predicted ?? desired, ignore);
  const have = normalizeForDiff(live, ignore);
  const paths: Path[] = [];
  diffValues(want, have, [], predicted === undefined, paths);
  if (paths.length === 0) return { key, status: 'Synced', changes: [] };
  const changes = paths.map((p): FieldChange => {
    const path = formatPointer(p);
    if (isSecretPath(obj, path)) return { path, redacted: true };
    return { path, desired: valueAt(want, p), live: valueAt(have, p) };
  });
  return { key, status: 'OutOfSync', reason: 'Drift', changes };
}

/** A readable, redacted summary: `/spec/replicas: 3 → 2; /data/password: (secret, differs)`. */
export function formatChanges(comparison: ResourceComparison): string {
  if (comparison.reason === 'Missing') return 'not in the cluster';
  if (comparison.reason === 'Extra') return 'in the cluster but no longer desired';
  if (comparison.reason === 'Deleting') return 'being deleted';
  return comparison.changes
    .map((c) =>
      c.redacted
        ? `${c.path}: (secret, differs)`
        : `${c.path}: ${JSON.stringify(c.live) ?? '(absent)'} → ${JSON.stringify(c.desired) ?? '(absent)'}`,
    )
    .join('; ');
}
