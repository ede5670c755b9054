// Hooks, hook delete policies and sync waves, read from Keelson's annotations or, unchanged,
// from Argo CD's. Keelson's annotation wins when both are set. An invalid value is an error
// that names the object: it is never silently skipped.
import type { KubeObject } from '../manifest.ts';
import { describeKey, keyOf } from '../manifest.ts';
import {
  ANNOTATION_HOOK,
  ANNOTATION_HOOK_DELETE_POLICY,
  ANNOTATION_SYNC_WAVE,
  ARGO_ANNOTATION_HOOK,
  ARGO_ANNOTATION_HOOK_DELETE_POLICY,
  ARGO_ANNOTATION_SYNC_WAVE,
} from '../keys.ts';

export const HOOK_PHASES = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'PreDelete', 'PostDelete'] as const;
/** Hooks run when an Environment with deletionPolicy Delete is deleted, never by a sync (core/sync/deletion.ts). */
export const DELETE_HOOK_PHASES = ['PreDelete', 'PostDelete'] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];
export const DELETE_POLICIES = ['BeforeHookCreation', 'HookSucceeded', 'HookFailed'] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];

export interface SyncAnnotations {
  /** Hook phases of the object; empty for an ordinary resource. */
  readonly hooks: readonly HookPhase[];
  /** Argo CD's `Skip`: the object is neither applied nor pruned by a sync. */
  readonly skip: boolean;
  /** Delete policies of a hook; BeforeHookCreation when none is given. */
  readonly deletePolicies: readonly DeletePolicy[];
  readonly wave: number;
}

/** An annotation with a value Keelson does not understand, on a named object. */
export class InvalidAnnotationError extends Error {
  readonly object: string;
  readonly annotation: string;
  readonly value: string;
  constructor(obj: KubeObject, annotation: string, value: string, expected: string) {
    const object = describeKey(keyOf(obj));
    super(`${object}: annotation ${annotation}: "${value}" is not valid (expected ${expected})`);
    this.name = 'InvalidAnnotationError';
    this.object = object;
    this.annotation = annotation;
    this.value = value;
  }
}

function pick(obj: KubeObject, keelson: string, argo: string): { key: string; value: string } | undefined {
  const annotations = obj.metadata.annotations ?? {};
  if (annotations[keelson] !== undefined) return { key: keelson, value: annotations[keelson] };
  if (annotations[argo] !== undefined) return { key: argo, value: annotations[argo] };
  return undefined;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function parseHooks(obj: KubeObject): { hooks: HookPhase[]; skip: boolean } {
  const found = pick(obj, ANNOTATION_HOOK, ARGO_ANNOTATION_HOOK);
  if (!found) return { hooks: [], skip: false };
  const hooks: HookPhase[] = [];
  let skip = false;
  const values = list(found.value);
  if (values.length === 0)
    throw new InvalidAnnotationError(obj, found.key, found.value, `one or more of ${HOOK_PHASES.join(', ')}`);
  for (const v of values) {
    if (v === 'Skip' && found.key === ARGO_ANNOTATION_HOOK) skip = true;
    else if ((HOOK_PHASES as readonly string[]).includes(v)) hooks.push(v as HookPhase);
    else throw new InvalidAnnotationError(obj, found.key, found.value, `one or more of ${HOOK_PHASES.join(', ')}`);
  }
  return { hooks: [...new Set(hooks)], skip };
}

function parseDeletePolicies(obj: KubeObject): DeletePolicy[] {
  const found = pick(obj, ANNOTATION_HOOK_DELETE_POLICY, ARGO_ANNOTATION_HOOK_DELETE_POLICY);
  if (!found) return ['BeforeHookCreation'];
  const values = list(found.value);
  const expected = `one or more of ${DELETE_POLICIES.join(', ')}`;
  if (values.length === 0) throw new InvalidAnnotationError(obj, found.key, found.value, expected);
  for (const v of values) {
    if (!(DELETE_POLICIES as readonly string[]).includes(v))
      throw new InvalidAnnotationError(obj, found.key, found.value, expected);
  }
  return [...new Set(values as DeletePolicy[])];
}

function parseWave(obj: KubeObject): number {
  const found = pick(obj, ANNOTATION_SYNC_WAVE, ARGO_ANNOTATION_SYNC_WAVE);
  if (!found) return 0;
  const text = found.value.trim();
  const wave = Number(text);
  if (!/^[+-]?\d+$/.test(text) || wave < -(2 ** 31) || wave >= 2 ** 31) {
    throw new InvalidAnnotationError(obj, found.key, found.value, 'a 32-bit integer');
  }
  return wave;
}

/** Hooks, delete policies and wave of an object; throws InvalidAnnotationError. */
export function parseSyncAnnotations(obj: KubeObject): SyncAnnotations {
  const { hooks, skip } = parseHooks(obj);
  return { hooks, skip, deletePolicies: parseDeletePolicies(obj), wave: parseWave(obj) };
}

export function isHook(obj: KubeObject): boolean {
  return pick(obj, ANNOTATION_HOOK, ARGO_ANNOTATION_HOOK) !== undefined;
}
