// Sync windows (docs/sync-windows.md): when an Environment may sync. Each window opens at the
// minutes its cron schedule matches in its time zone and stays open for its duration. The rules
// are Argo CD's: an open deny window blocks syncs (manual ones too, unless every open deny window
// has manualSync: true); when allow windows exist, syncs start only inside one of them (manual
// ones also outside, when an allow window has manualSync: true). Pure: `now` is passed in.
import { parseDuration } from '../duration.ts';
import { CronSyntaxError, matchesCron, parseCron, type CronSchedule, type WallClock } from './cron.ts';

export type SyncWindowKind = 'allow' | 'deny';

/** One window as a spec declares it (spec.sync.windows[] or a SyncWindow's spec). */
export interface SyncWindowRule {
  readonly kind: SyncWindowKind;
  readonly schedule: string;
  readonly duration: string;
  /** An IANA name; UTC when absent. */
  readonly timeZone?: string;
  readonly manualSync?: boolean;
}

/** A rule and where it was declared, for messages and errors. */
export interface SyncWindowSource {
  /** How status and the CLI name it: `spec.sync.windows[0]`, `SyncWindow/friday-freeze`. */
  readonly name: string;
  /** The path of the rule, for errors: `spec.sync.windows[0]`, `SyncWindow shop/friday-freeze spec`. */
  readonly field: string;
  readonly rule: SyncWindowRule;
}

/** A window that cannot be evaluated; `field` names the field at fault. */
export class SyncWindowError extends Error {
  override readonly name = 'SyncWindowError';
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

export interface SyncWindowState {
  /** An automated sync may start now. */
  readonly allowed: boolean;
  /** A manual sync request may start now. */
  readonly manualAllowed: boolean;
  /** Why, in one sentence. */
  readonly reason: string;
  /** Names of the windows open now. */
  readonly activeWindows: readonly string[];
  /** When `allowed` next changes (ms since the epoch), if within the horizon. */
  readonly nextChange?: number;
}

interface ParsedWindow {
  readonly source: SyncWindowSource;
  readonly cron: CronSchedule;
  readonly durationMs: number;
  readonly zone: Intl.DateTimeFormat;
}

const MINUTE = 60_000;
const QUARTER = 15 * MINUTE;
const HOUR = 60 * MINUTE;
/** How far ahead the next change is looked for: a weekly window always shows. */
export const HORIZON_MS = 8 * 24 * 60 * MINUTE;
/** The longest window: a longer one would be a schedule that never closes. */
const MAX_DURATION_MS = 31 * 24 * 60 * MINUTE;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Parses every window; throws SyncWindowError naming the first field at fault. */
export function parseSyncWindows(sources: readonly SyncWindowSource[]): ParsedWindow[] {
  return sources.map((source) => {
    const { rule, field } = source;
    let cron: CronSchedule;
    try {
      cron = parseCron(rule.schedule);
    } catch (err) {
      if (err instanceof CronSyntaxError) throw new SyncWindowError(`${field}.schedule`, err.message);
      throw err;
    }
    let durationMs: number;
    try {
      durationMs = parseDuration(rule.duration);
    } catch (err) {
      throw new SyncWindowError(`${field}.duration`, (err as Error).message);
    }
    if (durationMs < MINUTE || durationMs > MAX_DURATION_MS)
      throw new SyncWindowError(`${field}.duration`, `"${rule.duration}" must be between 1m and 744h`);
    return { source, cron, durationMs, zone: zoneFormat(`${field}.timeZone`, rule.timeZone ?? 'UTC') };
  });
}

/** Which windows are open at `now`, whether syncs may start, and when that next changes. */
export function evaluateSyncWindows(windows: readonly ParsedWindow[], now: number): SyncWindowState {
  const start = Math.floor(now / MINUTE) * MINUTE;
  // From two hours earlier than the window's duration: the first occurrence of a local time that
  // repeats (clocks going back) is seen before its second.
  const intervals = windows.map((w) => openIntervals(w, start - w.durationMs - 2 * HOUR, start + HORIZON_MS));
  const at = (t: number) => windows.filter((_, i) => intervals[i]!.some(([from, to]) => from <= t && t < to));
  const state = judge(windows, at(now));
  const changes = [...new Set(intervals.flat(2))].filter((t) => t > now).sort((a, b) => a - b);
  const nextChange = changes.find((t) => judge(windows, at(t)).allowed !== state.allowed);
  return { ...state, nextChange };
}

/** Argo CD's rules: an active deny wins; allow windows, when there are any, are the only times to sync. */
function judge(windows: readonly ParsedWindow[], active: readonly ParsedWindow[]): SyncWindowState {
  const activeWindows = active.map((w) => w.source.name);
  const denies = active.filter((w) => w.source.rule.kind === 'deny');
  if (denies.length > 0) {
    const names = denies.map((w) => w.source.name).join(', ');
    return {
      allowed: false,
      manualAllowed: denies.every((w) => w.source.rule.manualSync === true),
      reason: `deny window ${names} is open`,
      activeWindows,
    };
  }
  const allows = windows.filter((w) => w.source.rule.kind === 'allow');
  if (allows.length === 0 || active.length > 0) {
    const reason = active.length > 0 ? `allow window ${activeWindows.join(', ')} is open` : 'no sync window applies';
    return { allowed: true, manualAllowed: true, reason, activeWindows };
  }
  return {
    allowed: false,
    manualAllowed: allows.some((w) => w.source.rule.manualSync === true),
    reason: `no allow window is open (${allows.map((w) => w.source.name).join(', ')})`,
    activeWindows,
  };
}

/** The [open, close) intervals of a window whose openings fall in [from, to). */
function openIntervals(w: ParsedWindow, from: number, to: number): [number, number][] {
  const intervals: [number, number][] = [];
  const seen = new Set<string>();
  for (let block = Math.floor(from / QUARTER) * QUARTER; block < to; block += QUARTER) {
    // Every zone's offset is a whole number of quarter hours, so a UTC quarter is a local one.
    const base = wallClock(w.zone, block);
    for (let i = 0; i < 15; i++) {
      const t = block + i * MINUTE;
      if (t < from || t >= to) continue;
      const clock = { ...base, minute: base.minute + i };
      if (!matchesCron(w.cron, clock)) continue;
      // A local time repeated when clocks go back opens the window once, at its first occurrence.
      const key = `${base.key}:${clock.minute}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const last = intervals.at(-1);
      if (last && t <= last[1]) last[1] = Math.max(last[1], t + w.durationMs);
      else intervals.push([t, t + w.durationMs]);
    }
  }
  return intervals;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(field: string, timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format) return format;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
  } catch (err) {
    if (err instanceof RangeError)
      throw new SyncWindowError(field, `"${timeZone}" is not an IANA time zone (examples: UTC, Europe/Berlin)`);
    throw err;
  }
  formats.set(timeZone, format);
  return format;
}

function wallClock(format: Intl.DateTimeFormat, t: number): WallClock & { key: string } {
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(t)) parts[p.type] = p.value;
  const clock = {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: WEEKDAYS.indexOf(parts.weekday!),
  };
  return { ...clock, key: `${parts.year}-${clock.month}-${clock.day} ${clock.hour}` };
}
