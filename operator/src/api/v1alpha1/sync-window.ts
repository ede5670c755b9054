// Sync windows (ADR 0021, docs/sync-windows.md): when an Environment may sync. One window is a
// cron schedule, a duration and a time zone, allow or deny. An Environment declares its own in
// spec.sync.windows; a SyncWindow object declares one for every Environment of its namespace its
// selector matches (a release freeze for a whole team). core/environment/sync-windows.ts
// evaluates them; status.syncWindow says what they decided and when that changes.
import { Duration, StringEnum, Timestamp, Type, type Static } from './schema.ts';

export const SYNC_WINDOW_KINDS = ['allow', 'deny'] as const;

/** Five cron fields, or a shorthand (@daily…); core/environment/cron.ts checks each field. */
const SCHEDULE_PATTERN =
  '^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[0-9A-Za-z*,/-]+( +[0-9A-Za-z*,/-]+){4})$';

const windowFields = {
  kind: StringEnum(SYNC_WINDOW_KINDS, {
    description:
      'allow: automated syncs start only inside an allow window (when any exists); deny: no sync starts ' +
      'while it is open. A deny window wins over an allow window.',
  }),
  schedule: Type.String({
    description:
      'When the window opens: a cron schedule of 5 fields (minute hour day-of-month month day-of-week; ' +
      'ranges, steps, lists, month and day names) or @hourly, @daily, @weekly, @monthly, @yearly.',
    pattern: SCHEDULE_PATTERN,
    maxLength: 256,
  }),
  duration: Duration('How long the window stays open after each opening (1m to 744h), as 1h or 30m.'),
  timeZone: Type.Optional(
    Type.String({
      description: 'The IANA time zone the schedule is read in (Europe/Berlin, America/New_York).',
      default: 'UTC',
      pattern: '^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$',
      maxLength: 64,
    }),
  ),
  manualSync: Type.Optional(
    Type.Boolean({
      description:
        'deny: manual syncs (keelson sync, the API) still run while it is open. allow: manual syncs ' +
        'run outside the allow windows too.',
      default: false,
    }),
  ),
};

export const EnvironmentSyncWindow = Type.Object(
  {
    name: Type.Optional(
      Type.String({ description: 'What status and the CLI call it; its index otherwise.', maxLength: 63 }),
    ),
    ...windowFields,
  },
  { description: 'A sync window of this Environment.' },
);

export const SyncWindowSpec = Type.Object(
  {
    ...windowFields,
    selector: Type.Optional(
      Type.Object(
        {
          matchLabels: Type.Optional(
            Type.Object(
              {},
              {
                additionalProperties: Type.String({ maxLength: 63 }),
                description: 'The Environments whose labels include all of these.',
              },
            ),
          ),
        },
        { description: 'Which Environments of this namespace the window applies to. Absent: every one.' },
      ),
    ),
  },
  { description: 'One allow or deny window for the Environments of this namespace its selector matches.' },
);

export const SyncWindowStatus = Type.Object({}, { description: 'Nothing: each Environment reports its windows.' });

/** What an Environment's windows decide now (status.syncWindow). */
export const SyncWindowState = Type.Object(
  {
    allowed: Type.Boolean({ description: 'An automated sync may start now.' }),
    manualSyncAllowed: Type.Boolean({ description: 'A manual sync request may start now.' }),
    reason: Type.String({ description: 'Why.', maxLength: 1024 }),
    activeWindows: Type.Array(Type.String({ maxLength: 320 }), {
      description: 'The windows open now.',
      maxItems: 64,
    }),
    nextChange: Type.Optional(Timestamp('When `allowed` next changes (looked for 8 days ahead).')),
    refusedSyncAt: Type.Optional(
      Type.String({ description: 'The last keelson.dev/sync-requested-at token a closed window refused.' }),
    ),
  },
  { description: 'What the sync windows decide now; absent when the Environment has none.' },
);

export type EnvironmentSyncWindow = Static<typeof EnvironmentSyncWindow>;
export type SyncWindowSpec = Static<typeof SyncWindowSpec>;
export type SyncWindowStatus = Static<typeof SyncWindowStatus>;
export type SyncWindowState = Static<typeof SyncWindowState>;
