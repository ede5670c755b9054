// Trigger detection: the events an Environment's status implies, each with a key that names
// the trigger and what it is about (an operation, a revision, a condition's transition). The
// status is level, not edge: a key not yet handled is an event to tell, whether the operator
// saw the transition or was down during it, and a handled key is never told twice (the record
// of handled keys lives in the Notification's status).
import type { EnvironmentStatus, Operation } from '../../api/v1alpha1/environment.ts';
import type { NotificationTrigger, WatchedEnvironment } from '../../api/v1alpha1/notification.ts';
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.ts';
import { findCondition } from '../conditions.ts';

/** What trigger detection reads of an Environment. */
export interface EnvironmentView {
  readonly namespace: string;
  readonly name: string;
  /** spec.sync.automated is set. */
  readonly automated: boolean;
  /** The keelson.dev/auto-sync-paused annotation (a rollback sets it). */
  readonly autoSyncPaused?: string;
  readonly status?: EnvironmentStatus;
  /**
   * Its GitRepository's fetch failing now (the FetchFailed condition): the Environment keeps
   * syncing the last fetched revision and its own conditions stay True, so this is the only sign.
   */
  readonly sourceFailure?: SourceFailure;
}

export interface SourceFailure {
  readonly repository: string;
  readonly reason: string;
  readonly message: string;
  /** The condition's lastTransitionTime: one outage, one key. */
  readonly since: string;
}

export interface TriggerEvent {
  readonly trigger: NotificationTrigger;
  /** Unique per trigger and what it is about: one message per key, ever. */
  readonly key: string;
  readonly environment: string;
  readonly revision: string;
  /** One word: succeeded, failed, degraded, recovered, pending, rolled back. */
  readonly result: string;
  /** What happened, in the Environment's words (the failing step, the condition's message). */
  readonly detail: string;
  readonly initiatedBy: string;
}

/** How many handled keys are kept per Environment (older ones cannot come back: ids are unique). */
export const SEEN_LIMIT = 64;

/** Every event the Environment's status implies now, handled or not. */
export function currentEvents(env: EnvironmentView): TriggerEvent[] {
  const s = env.status ?? {};
  const events: TriggerEvent[] = [];
  const base = { environment: env.name, revision: s.sync?.revision ?? '', initiatedBy: '' };
  const op = s.operation;
  if (op && !op.deletion) {
    const initiatedBy = describeInitiator(op);
    const about = { ...base, revision: op.revision, initiatedBy };
    if (op.phase === 'Succeeded' && !op.selfHeal) {
      const rollback = isRollback(env, op);
      events.push({
        ...about,
        trigger: rollback ? 'RolledBack' : 'SyncSucceeded',
        key: `${rollback ? 'RolledBack' : 'SyncSucceeded'}/${op.id}`,
        result: rollback ? 'rolled back' : 'succeeded',
        detail: op.message ?? '',
      });
    }
    if (op.phase === 'Failed')
      events.push({
        ...about,
        trigger: 'SyncFailed',
        key: `SyncFailed/${op.id}`,
        result: 'failed',
        detail: failure(op),
      });
  }
  const healthy = findCondition(s.conditions, ConditionType.Healthy);
  if (s.health?.status === 'Degraded')
    events.push({
      ...base,
      trigger: 'HealthDegraded',
      key: `HealthDegraded/${op?.id ?? ''}/${healthy?.lastTransitionTime ?? ''}`,
      result: 'degraded',
      detail: s.health.message ?? healthy?.message ?? '',
    });
  if (s.health?.status === 'Healthy')
    events.push({
      ...base,
      trigger: 'HealthRecovered',
      key: `HealthRecovered/${healthy?.lastTransitionTime ?? ''}`,
      result: 'recovered',
      detail: healthy?.message ?? '',
    });
  const deployed = s.history?.[0]?.revision;
  const manual = !env.automated || env.autoSyncPaused !== undefined;
  if (manual && s.sync?.status === 'OutOfSync' && s.sync.revision && s.sync.revision !== deployed)
    if (op?.phase !== 'Running')
      events.push({
        ...base,
        trigger: 'ManualSyncPending',
        key: `ManualSyncPending/${s.sync.revision}`,
        result: 'waiting for a sync',
        detail: deployed ? `${deployed} is deployed` : 'nothing is deployed yet',
      });
  for (const type of [ConditionType.SourceReady, ConditionType.Synthesized]) {
    const c = findCondition(s.conditions, type);
    // Not the wait for a GitRepository's first fetch: a new Environment passes through it.
    if (c?.status === 'False' && c.reason !== Reason.ArtifactNotReady)
      events.push({
        ...base,
        trigger: 'SourceFailed',
        key: `SourceFailed/${type}/${c.reason}/${c.lastTransitionTime}`,
        result: type === ConditionType.SourceReady ? 'source unavailable' : 'synthesis failed',
        detail: `${c.reason}: ${c.message}`,
      });
  }
  const fetch = env.sourceFailure;
  if (fetch)
    events.push({
      ...base,
      trigger: 'SourceFailed',
      key: `SourceFailed/FetchFailed/${fetch.repository}/${fetch.since}`,
      result: 'source unavailable',
      detail:
        `${fetch.reason}: GitRepository ${fetch.repository} cannot be fetched: ${fetch.message}` +
        (base.revision ? `; ${base.revision} stays the last fetched revision` : ''),
    });
  return events;
}

/** A sync that returned to an earlier revision: a rollback paused auto-sync, and the revision changed. */
function isRollback(env: EnvironmentView, op: Operation): boolean {
  if (!env.autoSyncPaused?.startsWith('rollback')) return false;
  const history = env.status?.history ?? [];
  const index = history.findIndex((h) => h.operationId === op.id);
  const previous = history[index + 1];
  return index >= 0 && previous !== undefined && previous.revision !== op.revision;
}

function describeInitiator(op: Operation): string {
  if (op.initiatedBy?.username) return op.initiatedBy.username;
  return op.initiatedBy?.automated ? 'automated sync' : '';
}

/** The failing steps (hook or object, with the phase), else the operation's own words. */
function failure(op: Operation): string {
  const failed = (op.tasks ?? []).filter((t) => t.status === 'Failed');
  if (failed.length > 0)
    return failed
      .slice(0, 3)
      .map((t) => `${t.phase} ${t.hookName ? `hook ${t.hookName}` : t.key}: ${t.message ?? 'failed'}`)
      .join('; ');
  return op.failure ?? op.message ?? 'the sync failed';
}

export interface NotificationPlan {
  /** Events to deliver, oldest trigger first as detected. */
  readonly send: readonly TriggerEvent[];
  /** The record with everything not to send marked handled (and a first look's baseline). */
  readonly record: WatchedEnvironment;
}

/**
 * What to send of `env` given what was handled. A first look (no record) sends nothing: what
 * the status already says happened before the Notification watched. Events of triggers not
 * subscribed are marked handled silently; a degradation is told once until the next recovery,
 * and a recovery only after a degradation.
 */
export function planNotifications(
  env: EnvironmentView,
  record: WatchedEnvironment | undefined,
  triggers: ReadonlySet<NotificationTrigger>,
): NotificationPlan {
  const events = currentEvents(env);
  let next: WatchedEnvironment = record ?? { name: env.name, seen: [] };
  const send: TriggerEvent[] = [];
  for (const event of events) {
    if (next.seen.includes(event.key)) continue;
    const told = record !== undefined && triggers.has(event.trigger);
    // One HealthDegraded until the next recovery, and no recovery without one.
    const repeated = event.trigger === 'HealthDegraded' && next.degraded === true;
    if ((event.trigger === 'HealthRecovered' && !next.degraded) || repeated) next = markHandled(next, event);
    else if (told) send.push(event);
    else next = markHandled(next, event);
  }
  return { send, record: next };
}

/** The record after `event` was delivered or given up. */
export function markHandled(record: WatchedEnvironment, event: TriggerEvent): WatchedEnvironment {
  const seen = [event.key, ...record.seen.filter((k) => k !== event.key)].slice(0, SEEN_LIMIT);
  const degraded =
    event.trigger === 'HealthDegraded' ? true : event.trigger === 'HealthRecovered' ? undefined : record.degraded;
  return { name: record.name, seen, degraded };
}
