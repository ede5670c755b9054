// Cron schedules of sync windows: the five fields of crontab(5) (minute, hour, day of month,
// month, day of week) with `*`, ranges, steps, lists and the names of months and days, plus
// the @hourly/@daily/@weekly/@monthly/@yearly shorthands. As in cron, when both the day of
// month and the day of week are restricted, a day matching either matches.

/** A schedule that cannot be parsed; the message says which field and why. */
export class CronSyntaxError extends Error {
  override readonly name = 'CronSyntaxError';
}

/** The wall-clock time of one minute in some time zone. */
export interface WallClock {
  readonly minute: number;
  readonly hour: number;
  readonly day: number;
  /** 1–12. */
  readonly month: number;
  /** 0 (Sunday) – 6. */
  readonly weekday: number;
}

export interface CronSchedule {
  readonly text: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  readonly daysRestricted: boolean;
  readonly weekdaysRestricted: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldRange {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names of the values from `min` on. */
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldRange[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: MONTHS },
  // 7 is Sunday too, as in most crons.
  { label: 'day of week', min: 0, max: 7, names: WEEKDAYS },
];

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export function parseCron(text: string): CronSchedule {
  const expanded = SHORTHANDS[text.trim().toLowerCase()] ?? text;
  const parts = expanded.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new CronSyntaxError(`"${text}" has ${parts.length} fields; a schedule has 5 (minute hour day month weekday)`);
  const sets = parts.map((part, i) => parseField(part, FIELDS[i]!));
  const weekdays = new Set([...sets[4]!].map((d) => d % 7));
  return {
    text,
    minutes: sets[0]!,
    hours: sets[1]!,
    days: sets[2]!,
    months: sets[3]!,
    weekdays,
    daysRestricted: !parts[2]!.startsWith('*'),
    weekdaysRestricted: !parts[4]!.startsWith('*'),
  };
}

export function matchesCron(schedule: CronSchedule, t: WallClock): boolean {
  if (!schedule.minutes.has(t.minute) || !schedule.hours.has(t.hour) || !schedule.months.has(t.month)) return false;
  const day = schedule.days.has(t.day);
  const weekday = schedule.weekdays.has(t.weekday);
  if (schedule.daysRestricted && schedule.weekdaysRestricted) return day || weekday;
  return day && weekday;
}

function parseField(text: string, field: FieldRange): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '')
      throw new CronSyntaxError(`${field.label} "${text}": "${item}" is not a value, range or step`);
    const step = stepText === undefined ? 1 : parseNumber(stepText, field, 'step');
    if (step < 1) throw new CronSyntaxError(`${field.label} "${text}": a step must be at least 1`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [field.min, field.max];
    else {
      const [a, b, more] = range.split('-');
      if (more !== undefined) throw new CronSyntaxError(`${field.label} "${text}": "${range}" is not a range`);
      from = parseValue(a!, field);
      // `5/15` runs from 5 to the end, as in Vixie cron.
      to = b !== undefined ? parseValue(b, field) : stepText !== undefined ? field.max : from;
    }
    if (from > to) throw new CronSyntaxError(`${field.label} "${text}": the range ${range} runs backwards`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function parseValue(text: string, field: FieldRange): number {
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return field.min + index;
  const value = parseNumber(text, field, 'value');
  if (value < field.min || value > field.max)
    throw new CronSyntaxError(`${field.label} ${value} is outside ${field.min}–${field.max}`);
  return value;
}

function parseNumber(text: string, field: FieldRange, what: string): number {
  if (!/^[0-9]+$/.test(text)) {
    const names = field.names ? ` or a name (${field.names.join(', ')})` : '';
    throw new CronSyntaxError(`${field.label}: "${text}" is not a number${names} (${what})`);
  }
  return Number.parseInt(text, 10);
}
