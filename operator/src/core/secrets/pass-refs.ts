// PassSecret references as synthesized: a Secret with the `keelson.dev/pass-refs`
// annotation, a JSON map of data key → { path, field? }. References, never values.
import { ANNOTATION_PASS_REFS } from '../keys.ts';
import { keyOf, type KubeObject, type ObjectKey } from '../manifest.ts';
import type { PassReference } from '../synthesis.ts';
import { PassSecretError } from './errors.ts';

/** The references of one synthesized Secret, by data key. */
export interface SecretReferences {
  readonly secret: ObjectKey;
  readonly refs: ReadonlyMap<string, PassReference>;
}

const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const PATH_SEGMENT = /^[^\0\\]+$/;

export function isSecret(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/** True for a Secret that carries pass references (a PassSecret placeholder). */
export function hasPassRefs(obj: KubeObject): boolean {
  return isSecret(obj) && obj.metadata.annotations?.[ANNOTATION_PASS_REFS] !== undefined;
}

/** Reads and checks the annotation; throws InvalidReference naming what is wrong (the annotation holds no values). */
export function readPassRefs(obj: KubeObject): SecretReferences {
  const text = obj.metadata.annotations?.[ANNOTATION_PASS_REFS];
  if (text === undefined) return { secret: keyOf(obj), refs: new Map() };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('', `annotation ${ANNOTATION_PASS_REFS} is not JSON`);
  }
  if (!isRecord(parsed))
    throw invalid('', `annotation ${ANNOTATION_PASS_REFS} must be a JSON object of data key → { path, field? }`);
  const refs = new Map<string, PassReference>();
  for (const [dataKey, value] of Object.entries(parsed)) {
    if (!DATA_KEY.test(dataKey)) throw invalid('', `data key "${dataKey}" is not a valid Secret key`);
    refs.set(dataKey, readReference(dataKey, value));
  }
  return { secret: keyOf(obj), refs };
}

function readReference(dataKey: string, value: unknown): PassReference {
  if (!isRecord(value) || typeof value.path !== 'string') {
    throw invalid('', `data key "${dataKey}": a reference is { "path": string, "field"?: string }`);
  }
  const path = value.path;
  const segments = path.split('/');
  if (
    path.startsWith('/') ||
    path.endsWith('/') ||
    segments.some((s) => s === '' || s === '.' || s === '..' || !PATH_SEGMENT.test(s))
  ) {
    throw invalid(
      path,
      `data key "${dataKey}": the path must be relative to the store root, without empty, "." or ".." segments`,
    );
  }
  if (path.endsWith('.gpg')) throw invalid(path, `data key "${dataKey}": name the entry without ".gpg", as pass does`);
  if (value.field === undefined) return { path };
  if (typeof value.field !== 'string' || value.field.trim() === '' || value.field.includes('\n')) {
    throw invalid(path, `data key "${dataKey}": field must be a non-empty one-line string`);
  }
  return { path, field: value.field };
}

function invalid(path: string, detail: string): PassSecretError {
  return new PassSecretError('InvalidReference', path, detail);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
