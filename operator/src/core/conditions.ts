// kstatus conditions, the way Flux keeps them: `Ready` is always present; `Reconciling`
// and `Stalled` exist only while True (setting them False removes them); reasons are
// PascalCase; every condition records the generation it was computed from; the transition
// time moves only when the status does. Pure: the caller passes the time in.
import type { Static } from '@sinclair/typebox';
import type { Condition as ConditionSchema } from '../api/v1alpha1/schema.ts';
import { ConditionType } from '../api/v1alpha1/conditions.ts';

export type Condition = Static<typeof ConditionSchema>;
export type ConditionStatus = Condition['status'];

export const READY = ConditionType.Ready;
export const RECONCILING = ConditionType.Reconciling;
export const STALLED = ConditionType.Stalled;

/** Conditions that only exist while True (kstatus "abnormal-true" conditions). */
const onlyWhileTrue = new Set<string>([RECONCILING, STALLED]);

export interface ConditionUpdate {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

export interface ConditionContext {
  /** RFC 3339 time of this reconcile. */
  readonly now: string;
  readonly generation: number | undefined;
}

/** Sets (or for False Reconciling/Stalled, removes) one condition; returns a new list. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  ctx: ConditionContext,
): Condition[] {
  if (!isPascalCase(update.reason)) throw new Error(`condition reason must be PascalCase: "${update.reason}"`);
  if (onlyWhileTrue.has(update.type) && update.status !== 'True') return removeCondition(conditions, update.type);
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === update.type);
  const previous = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    lastTransitionTime: previous && previous.status === update.status ? previous.lastTransitionTime : ctx.now,
    ...(ctx.generation === undefined ? {} : { observedGeneration: ctx.generation }),
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return sortConditions(list);
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

export function isPascalCase(reason: string): boolean {
  return /^[A-Z][A-Za-z0-9]*$/.test(reason);
}

/** Ready first, then Reconciling and Stalled, then the rest by type: a stable order for diffs. */
function sortConditions(list: Condition[]): Condition[] {
  const rank = (t: string) => (t === READY ? 0 : t === RECONCILING ? 1 : t === STALLED ? 2 : 3);
  return list.sort((a, b) => rank(a.type) - rank(b.type) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
