import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateSyncWindows,
  parseSyncWindows,
  SyncWindowError,
  type SyncWindowRule,
  type SyncWindowState,
} from './sync-windows.ts';

const at = (iso: string) => Date.parse(iso);
const windows = (...rules: SyncWindowRule[]) =>
  parseSyncWindows(rules.map((rule, i) => ({ name: `w${i}`, field: `spec.sync.windows[${i}]`, rule })));
const deny = (schedule: string, duration: string, more: Partial<SyncWindowRule> = {}): SyncWindowRule => ({
  kind: 'deny',
  schedule,
  duration,
  ...more,
});
const allow = (schedule: string, duration: string, more: Partial<SyncWindowRule> = {}): SyncWindowRule => ({
  kind: 'allow',
  schedule,
  duration,
  ...more,
});

// Friday 2026-12-04.
const cases: {
  name: string;
  rules: SyncWindowRule[];
  now: string;
  expect: Partial<Omit<SyncWindowState, 'nextChange'>> & { nextChange?: string | null };
}[] = [
  {
    name: 'no windows: syncs are allowed and nothing changes',
    rules: [],
    now: '2026-12-04T17:30:00Z',
    expect: { allowed: true, manualAllowed: true, activeWindows: [], nextChange: null },
  },
  {
    name: 'an open deny window blocks automated and manual syncs until it closes',
    rules: [deny('0 17 * * fri', '2h')],
    now: '2026-12-04T17:30:00Z',
    expect: { allowed: false, manualAllowed: false, activeWindows: ['w0'], nextChange: '2026-12-04T19:00:00Z' },
  },
  {
    name: 'a deny window with manualSync lets manual syncs through',
    rules: [deny('0 17 * * fri', '2h', { manualSync: true })],
    now: '2026-12-04T17:30:00Z',
    expect: { allowed: false, manualAllowed: true },
  },
  {
    name: 'manual syncs are blocked when one of two open deny windows lacks manualSync',
    rules: [deny('0 17 * * fri', '2h', { manualSync: true }), deny('0 * * * *', '45m')],
    now: '2026-12-04T17:30:00Z',
    expect: { allowed: false, manualAllowed: false, activeWindows: ['w0', 'w1'] },
  },
  {
    name: 'a closed deny window allows syncs until it opens',
    rules: [deny('0 17 * * fri', '2h')],
    now: '2026-12-04T16:00:00Z',
    expect: { allowed: true, activeWindows: [], nextChange: '2026-12-04T17:00:00Z' },
  },
  {
    name: 'deny wins over an open allow window',
    rules: [allow('0 8 * * *', '12h'), deny('0 17 * * fri', '2h')],
    now: '2026-12-04T17:30:00Z',
    expect: { allowed: false, activeWindows: ['w0', 'w1'], nextChange: '2026-12-04T19:00:00Z' },
  },
  {
    name: 'with allow windows, syncs are blocked outside them until the next opens',
    rules: [allow('0 8 * * mon-fri', '10h')],
    now: '2026-12-04T19:00:00Z',
    expect: { allowed: false, manualAllowed: false, nextChange: '2026-12-07T08:00:00Z' },
  },
  {
    name: 'an allow window with manualSync allows manual syncs outside it',
    rules: [allow('0 8 * * mon-fri', '10h', { manualSync: true })],
    now: '2026-12-04T19:00:00Z',
    expect: { allowed: false, manualAllowed: true },
  },
  {
    name: 'inside an allow window syncs are allowed until it closes',
    rules: [allow('0 8 * * mon-fri', '10h')],
    now: '2026-12-04T09:00:00Z',
    expect: { allowed: true, activeWindows: ['w0'], nextChange: '2026-12-04T18:00:00Z' },
  },
  {
    name: 'back-to-back deny windows: the next change is when the last closes',
    rules: [deny('0 17 * * *', '1h'), deny('0 18 * * *', '1h')],
    now: '2026-12-04T17:30:00Z',
    expect: { allowed: false, nextChange: '2026-12-04T19:00:00Z' },
  },
  {
    name: 'a window that opened before now and still runs is open (a schedule matched yesterday)',
    rules: [deny('0 22 * * thu', '24h')],
    now: '2026-12-04T17:30:00Z',
    expect: { allowed: false, nextChange: '2026-12-04T22:00:00Z' },
  },
  {
    name: 'the time zone shifts the window: 09:00 in Berlin in winter is 08:00 UTC',
    rules: [deny('0 9 * * *', '1h', { timeZone: 'Europe/Berlin' })],
    now: '2026-12-04T08:30:00Z',
    expect: { allowed: false, nextChange: '2026-12-04T09:00:00Z' },
  },
  {
    name: 'the time zone shifts the window: 09:00 in Berlin in summer is 07:00 UTC',
    rules: [deny('0 9 * * *', '1h', { timeZone: 'Europe/Berlin' })],
    now: '2026-07-01T07:30:00Z',
    expect: { allowed: false, nextChange: '2026-07-01T08:00:00Z' },
  },
  {
    name: 'across the spring DST change the window opens at the new offset',
    rules: [allow('0 9 * * *', '1h', { timeZone: 'Europe/Berlin' })],
    now: '2026-03-28T09:00:00Z',
    expect: { allowed: false, nextChange: '2026-03-29T07:00:00Z' },
  },
  {
    name: 'a local time skipped in spring does not open the window that day',
    rules: [deny('30 2 * * *', '1h', { timeZone: 'Europe/Berlin' })],
    now: '2026-03-29T00:00:00Z',
    expect: { allowed: true, nextChange: '2026-03-30T00:30:00Z' },
  },
  {
    name: 'a local time repeated in autumn opens the window once, at its first occurrence',
    rules: [deny('30 2 * * *', '10m', { timeZone: 'Europe/Berlin' })],
    now: '2026-10-25T01:35:00Z',
    expect: { allowed: true, nextChange: '2026-10-26T01:30:00Z' },
  },
  {
    name: 'the first occurrence of a repeated local time does open the window',
    rules: [deny('30 2 * * *', '10m', { timeZone: 'Europe/Berlin' })],
    now: '2026-10-25T00:35:00Z',
    expect: { allowed: false, nextChange: '2026-10-25T00:40:00Z' },
  },
  {
    name: 'a monthly window beyond the horizon reports no next change',
    rules: [deny('0 0 1 * *', '1h')],
    now: '2026-12-04T17:30:00Z',
    expect: { allowed: true, nextChange: null },
  },
];

describe('sync windows', () => {
  for (const c of cases) {
    it(c.name, () => {
      const state = evaluateSyncWindows(windows(...c.rules), at(c.now));
      const { nextChange, ...rest } = c.expect;
      for (const [key, value] of Object.entries(rest))
        assert.deepEqual(state[key as keyof SyncWindowState], value, `${key}: ${state.reason}`);
      if (nextChange !== undefined)
        assert.equal(state.nextChange ?? null, nextChange === null ? null : at(nextChange), state.reason);
    });
  }

  const invalid: { name: string; rule: SyncWindowRule; field: string; message: RegExp }[] = [
    {
      name: 'an unknown time zone',
      rule: deny('0 17 * * *', '1h', { timeZone: 'Mars/Olympus' }),
      field: 'spec.sync.windows[0].timeZone',
      message: /"Mars\/Olympus" is not an IANA time zone/,
    },
    {
      name: 'a schedule with a bad field',
      rule: deny('0 25 * * *', '1h'),
      field: 'spec.sync.windows[0].schedule',
      message: /hour 25 is outside 0–23/,
    },
    {
      name: 'a duration that is not one',
      rule: deny('0 17 * * *', '1 hour'),
      field: 'spec.sync.windows[0].duration',
      message: /is not a duration/,
    },
    {
      name: 'a duration shorter than a minute',
      rule: deny('0 17 * * *', '30s'),
      field: 'spec.sync.windows[0].duration',
      message: /must be between 1m and 744h/,
    },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}, naming the field`, () => {
      assert.throws(
        () => windows(c.rule),
        (err: unknown) => err instanceof SyncWindowError && err.field === c.field && c.message.test(err.message),
      );
    });
  }
});
