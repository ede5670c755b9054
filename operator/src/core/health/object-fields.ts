// Read access to the loosely typed fields of a live object, for the health rules.
import type { KubeObject } from '../manifest.ts';

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

type Fields = Record<string, unknown>;

function asRecord(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
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

export function conditionsOf(obj: KubeObject): Condition[] {
  return arrayAt(statusOf(obj), 'conditions')
    .filter((c) => typeof c.type === 'string')
    .map((c) => ({ type: String(c.type), status: String(c.status ?? 'Unknown'), reason: stringAt(c, 'reason'), message: stringAt(c, 'message') }));
}

export function findCondition(obj: KubeObject, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

/** True when the controller has not yet seen the latest spec (status.observedGeneration behind). */
export function isGenerationPending(obj: KubeObject): boolean {
  const observed = statusOf(obj).observedGeneration;
  const generation = obj.metadata.generation;
  return typeof observed === 'number' && typeof generation === 'number' && observed < generation;
}

export function conditionText(c: Condition): string {
  return [c.reason, c.message].filter(Boolean).join(': ') || `${c.type} is ${c.status}`;
}
