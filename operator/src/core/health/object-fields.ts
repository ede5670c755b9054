// Read access to the loosely typed fields of a live object, for the health rules.
import type { KubeObject } from '../manifest.ts';

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  /** The generation the controller judged when it wrote this condition, when it says. */
  readonly observedGeneration?: number;
}

type Fields = Record<string, unknown>;

function asRecord(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

/** True for a plain object (not null, not an array): what `metadata` must be. */
export function isRecord(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The metadata, `{}` when absent or malformed, so a rule never throws on it. */
export function metadataOf(obj: KubeObject): Fields {
  return asRecord(obj.metadata);
}

/** The annotations with a string value; others (malformed) are left out. */
export function annotationsOf(obj: KubeObject): Record<string, string> {
  const entries = Object.entries(recordAt(metadataOf(obj), 'annotations'));
  return Object.fromEntries(entries.filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function specOf(obj: KubeObject): Fields {
  return asRecord(obj.spec);
}

export function statusOf(obj: KubeObject): Fields {
  return asRecord(obj.status);
}

/** A field of a record as a number, `fallback` when absent or not a number. */
export function numberAt(record: Fields, field: string, fallback = 0): number {
  const value = record[field];
  return typeof value === 'number' ? value : fallback;
}

export function stringAt(record: Fields, field: string): string | undefined {
  const value = record[field];
  return typeof value === 'string' ? value : undefined;
}

export function recordAt(record: Fields, field: string): Fields {
  return asRecord(record[field]);
}

export function arrayAt(record: Fields, field: string): Fields[] {
  const value = record[field];
  return Array.isArray(value) ? value.map(asRecord) : [];
}

/** Conditions from a loosely typed list (status.conditions, or a list decoded from JSON); untyped entries dropped. */
export function asConditions(value: unknown): Condition[] {
  if (!Array.isArray(value)) return [];
  return value
    .map(asRecord)
    .filter((c) => typeof c.type === 'string')
    .map((c) => ({
      type: String(c.type),
      status: String(c.status ?? 'Unknown'),
      reason: stringAt(c, 'reason'),
      message: stringAt(c, 'message'),
      observedGeneration: typeof c.observedGeneration === 'number' ? c.observedGeneration : undefined,
    }));
}

export function conditionsOf(obj: KubeObject): Condition[] {
  return asConditions(statusOf(obj).conditions);
}

export function findCondition(obj: KubeObject, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

/** metadata.generation, when the API server set it (it does for every object with a spec it versions). */
export function generationOf(obj: KubeObject): number | undefined {
  const generation = metadataOf(obj).generation;
  return typeof generation === 'number' ? generation : undefined;
}

/** status.observedGeneration, when the controller reports it. */
export function observedGenerationOf(obj: KubeObject): number | undefined {
  const observed = statusOf(obj).observedGeneration;
  return typeof observed === 'number' ? observed : undefined;
}

/** True when the controller has not yet seen the latest spec (status.observedGeneration behind). */
export function isGenerationPending(obj: KubeObject): boolean {
  const observed = observedGenerationOf(obj);
  const generation = generationOf(obj);
  return observed !== undefined && generation !== undefined && observed < generation;
}

/** True when a condition says it was written for an older generation than the object's (so it is stale). */
export function isConditionStale(obj: KubeObject, c: Condition): boolean {
  const generation = generationOf(obj);
  return c.observedGeneration !== undefined && generation !== undefined && c.observedGeneration < generation;
}

export function conditionText(c: Condition): string {
  return [c.reason, c.message].filter(Boolean).join(': ') || `${c.type} is ${c.status}`;
}
