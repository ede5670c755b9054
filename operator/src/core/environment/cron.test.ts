import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronSyntaxError, matchesCron, parseCron, type WallClock } from './cron.ts';

// Friday 2026-12-04 17:30.
const friday: WallClock = { minute: 30, hour: 17, day: 4, month: 12, weekday: 5 };

describe('cron schedules', () => {
  const cases: { name: string; schedule: string; at: Partial<WallClock>; matches: boolean }[] = [
    { name: 'every minute matches any time', schedule: '* * * * *', at: {}, matches: true },
    { name: 'a fixed minute and hour match that time', schedule: '30 17 * * *', at: {}, matches: true },
    { name: 'a fixed minute does not match another', schedule: '31 17 * * *', at: {}, matches: false },
    { name: 'a range includes its ends', schedule: '0 9-17 * * *', at: { minute: 0 }, matches: true },
    { name: 'a range excludes what is past it', schedule: '0 9-16 * * *', at: { minute: 0 }, matches: false },
    { name: 'a step over * matches multiples', schedule: '*/15 * * * *', at: {}, matches: true },
    { name: 'a step over * skips the rest', schedule: '*/20 * * * *', at: {}, matches: false },
    { name: 'a step over a range starts at the range', schedule: '5-59/25 * * * *', at: {}, matches: true },
    { name: 'a value with a step runs to the end', schedule: '10/20 * * * *', at: {}, matches: true },
    { name: 'a list matches any item', schedule: '0,30 8,17 * * *', at: {}, matches: true },
    { name: 'day names match the weekday', schedule: '* * * * fri', at: {}, matches: true },
    { name: 'a range of day names', schedule: '* * * * MON-THU', at: {}, matches: false },
    { name: 'month names match the month', schedule: '* * * dec *', at: {}, matches: true },
    { name: '7 is Sunday', schedule: '* * * * 7', at: { weekday: 0 }, matches: true },
    { name: 'day of month and weekday both restricted: either matches', schedule: '* * 1 * 5', at: {}, matches: true },
    { name: 'day of month restricted alone must match', schedule: '* * 1 * *', at: {}, matches: false },
    { name: '@daily is midnight', schedule: '@daily', at: { hour: 0, minute: 0 }, matches: true },
    { name: '@hourly is minute 0', schedule: '@hourly', at: {}, matches: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(matchesCron(parseCron(c.schedule), { ...friday, ...c.at }), c.matches);
    });
  }

  const invalid: { schedule: string; message: RegExp }[] = [
    { schedule: '* * * *', message: /has 4 fields; a schedule has 5/ },
    { schedule: '60 * * * *', message: /minute 60 is outside 0–59/ },
    { schedule: '* 24 * * *', message: /hour 24 is outside 0–23/ },
    { schedule: '* * 0 * *', message: /day of month 0 is outside 1–31/ },
    { schedule: '* * * foo *', message: /month: "foo" is not a number or a name \(jan/ },
    { schedule: '* * * * fri-mon', message: /day of week "fri-mon": the range fri-mon runs backwards/ },
    { schedule: '*/0 * * * *', message: /a step must be at least 1/ },
    { schedule: '1,,2 * * * *', message: /minute "1,,2": "" is not a value/ },
    { schedule: '1-2-3 * * * *', message: /"1-2-3" is not a range/ },
  ];
  for (const c of invalid) {
    it(`refuses "${c.schedule}", naming the field`, () => {
      assert.throws(
        () => parseCron(c.schedule),
        (err: unknown) => err instanceof CronSyntaxError && c.message.test(err.message),
      );
    });
  }
});
