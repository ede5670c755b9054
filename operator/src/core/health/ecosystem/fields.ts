// Field access the ecosystem rules need beyond ../object-fields.ts: conditions with their own
// observedGeneration (cert-manager, Flux, prometheus-operator) and severity (Cluster API v1beta1),
// generations written as strings (Argo Rollouts), annotations, and the verdict of a lone Ready
// condition. Every reader tolerates odd shapes: a wrong type reads as absent, it never throws.
import type { KubeObject } from '../../manifest.ts';
import { degraded, healthy, progressing, type HealthAssessment } from '../health-status.ts';
import { arrayAt, statusOf, stringAt, type Condition } from '../object-fields.ts';

export type Rule = (obj: KubeObject) => HealthAssessment;

export type Fields = Record<string, unknown>;

/** A value as a record; anything else (null, an array, a string) as an empty one. */
export function asFields(value: unknown): Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

export interface RichCondition extends Condition {
  /** The generation the controller had seen when it set this condition. */
  readonly observedGeneration?: number;
  /** Cluster API v1beta1: Error, Warning or Info — how bad a False condition is. */
  readonly severity?: string;
}

/** `True`/`False`/`Unknown` whatever the spelling (a YAML `true` parses as a boolean); other values kept. */
function normalStatus(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value !== 'string') return 'Unknown';
  const known = ['True', 'False', 'Unknown'].find((s) => s.toLowerCase() === value.toLowerCase());
  return known ?? value;
}

/** A generation as a number. Argo Rollouts stores status.observedGeneration as a string (a hash before v0.10). */
export function asGeneration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

export function richConditions(obj: KubeObject): RichCondition[] {
  return arrayAt(statusOf(obj), 'conditions')
    .filter((c) => typeof c.type === 'string' && c.type !== '')
    .map((c) => ({
      type: String(c.type),
      status: normalStatus(c.status),
      reason: stringAt(c, 'reason'),
      message: stringAt(c, 'message'),
      observedGeneration: asGeneration(c.observedGeneration),
      severity: stringAt(c, 'severity'),
    }));
}

export function condition(obj: KubeObject, type: string): RichCondition | undefined {
  return richConditions(obj).find((c) => c.type === type);
}

export function isConditionTrue(obj: KubeObject, type: string): boolean {
  return condition(obj, type)?.status === 'True';
}

function generationOf(obj: KubeObject): number | undefined {
  const generation = obj.metadata?.generation;
  return typeof generation === 'number' ? generation : undefined;
}

/** status.observedGeneration (a number or a numeric string) is behind metadata.generation. */
export function isStatusBehind(obj: KubeObject): boolean {
  const observed = asGeneration(statusOf(obj).observedGeneration);
  const generation = generationOf(obj);
  return observed !== undefined && generation !== undefined && observed < generation;
}

/** The condition was set for an older generation than the current spec: it says nothing about it yet. */
export function isConditionBehind(obj: KubeObject, c: RichCondition | undefined): boolean {
  const generation = generationOf(obj);
  return c?.observedGeneration !== undefined && generation !== undefined && c.observedGeneration < generation;
}

export function hasStatus(obj: KubeObject): boolean {
  return Object.keys(statusOf(obj)).length > 0;
}

export function annotationOf(obj: KubeObject, key: string): string | undefined {
  const value = asFields(obj.metadata?.annotations)[key];
  return typeof value === 'string' ? value : undefined;
}

/** `true`, or the string "true" that annotations and loosely typed fields carry. */
export function isTrueValue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** `what`, then why: the condition's message, else its reason. */
export function because(what: string, c: Condition | undefined): string {
  const why = c?.message || c?.reason;
  return why ? `${what}: ${why}` : what;
}

/** A fresh object the controller has not written a status for yet. */
export function waitingFor(controller: string): HealthAssessment {
  return progressing(`waiting for ${controller} to report its status`);
}

export function specUpdatePending(controller: string): HealthAssessment {
  return progressing(`waiting for ${controller} to observe the spec update`);
}

export interface ReadyConditionRule {
  /** Who writes the status: `cert-manager`, `the sealed-secrets controller`. */
  readonly controller: string;
  /** What a False condition means, in words: `the issuer cannot issue certificates`. */
  readonly failure: string;
  /** What an Unknown condition means: `the secret is not synced yet`. */
  readonly pending: string;
  /** The condition type that says it all; `Ready` unless told. */
  readonly type?: string;
}

/**
 * The kinds whose controller sums up their state in one condition: True is Healthy, False is
 * Degraded, Unknown (or none yet, or one set for an older generation) is Progressing.
 */
export function assessReadyCondition(obj: KubeObject, rule: ReadyConditionRule): HealthAssessment {
  if (isStatusBehind(obj)) return specUpdatePending(rule.controller);
  const ready = condition(obj, rule.type ?? 'Ready');
  if (!ready) return waitingFor(rule.controller);
  if (isConditionBehind(obj, ready)) return specUpdatePending(rule.controller);
  if (ready.status === 'True') return healthy;
  if (ready.status === 'False') return degraded(because(rule.failure, ready));
  return progressing(because(rule.pending, ready));
}

/** A list of names, shortened past a few: `a, b, c and 4 more`. */
export function nameList(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
