// Notification: who is told what about the Environments of its namespace (ADR 0018). One
// object names the Environments (by name or label selector), the triggers, one provider and
// its Secret, and optional message templates; its status remembers what was sent, so a
// restarted operator does not send it again.
import {
  Conditions,
  LocalObjectReference,
  ObjectName,
  ObservedGeneration,
  StringEnum,
  Timestamp,
  Type,
  withRules,
  type Static,
} from './schema.ts';

/** The events a Notification can be told of (core/notify/triggers.ts detects them). */
export const NOTIFICATION_TRIGGERS = [
  'SyncSucceeded',
  'SyncFailed',
  'HealthDegraded',
  'HealthRecovered',
  'ManualSyncPending',
  'RolledBack',
  'SourceFailed',
] as const;

/** The providers this operator delivers to; another type is reported on the resource (UnknownProvider). */
export const PROVIDER_TYPES = ['telegram', 'slack', 'teams', 'webhook', 'github', 'githubDeployment'] as const;

/** The variables a template may name, as `{{ name }}`. */
export const TEMPLATE_VARIABLES = [
  'trigger',
  'namespace',
  'environment',
  'revision',
  'commit',
  'shortCommit',
  'result',
  'message',
  'url',
  'initiatedBy',
] as const;

// The same check core/notify/template.ts makes, run by the API server as one regular expression
// (RE2, linear; a rule that splits the text costs too much for the CRD's budget): text without
// `{{`, and placeholders of a known variable closed by `}}`.
const TEXT = '(?:[^{]|\\{(?:[^{]|$))*';
export const TEMPLATE_PATTERN = `^${TEXT}(?:\\{\\{\\s*(?:${TEMPLATE_VARIABLES.join('|')})\\s*\\}\\}${TEXT})*$`;
const templateRule = `self.matches('${TEMPLATE_PATTERN.replaceAll('\\', '\\\\')}')`;

export const NotificationProvider = Type.Object(
  {
    type: Type.String({
      description: `Where messages go: ${PROVIDER_TYPES.join(', ')} (docs/notifications.md shows each).`,
      minLength: 1,
      maxLength: 63,
    }),
    address: Type.Optional(
      Type.String({
        description:
          "The provider's URL: the API base for telegram, slack's chat.postMessage and github (their public " +
          'APIs by default); the webhook URL for slack, teams and webhook when the Secret holds no `address`.',
        maxLength: 2048,
        pattern: '^https?://',
      }),
    ),
    channel: Type.Optional(
      Type.String({
        description:
          "The chat: telegram's chat_id, or the Slack channel for chat.postMessage " +
          '(used when the Secret has a `token`).',
        minLength: 1,
        maxLength: 255,
      }),
    ),
    repository: Type.Optional(
      Type.String({
        description: 'owner/name of the GitHub repository whose commits get the statuses (github, githubDeployment).',
        pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
        maxLength: 255,
      }),
    ),
    secretRef: Type.Optional(
      LocalObjectReference(
        'A Secret with `token` (telegram, slack chat.postMessage, github; the HMAC key for webhook) ' +
          'and/or `address` (a webhook URL that is itself a secret).',
      ),
    ),
  },
  { description: 'The one provider this Notification delivers to.' },
);

export const NotificationSpec = Type.Object(
  {
    environments: withRules(
      Type.Object(
        {
          names: Type.Optional(
            Type.Array(ObjectName('An Environment of this namespace.'), {
              description: 'The Environments, by name.',
              maxItems: 128,
            }),
          ),
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
        { description: 'Which Environments of this namespace it watches: names, or a label selector, or both (OR).' },
      ),
      [{ rule: 'has(self.names) || has(self.matchLabels)', message: 'name Environments or give matchLabels' }],
    ),
    triggers: Type.Optional(
      Type.Array(StringEnum(NOTIFICATION_TRIGGERS), {
        description: `What is told. Absent: every trigger (${NOTIFICATION_TRIGGERS.join(', ')}).`,
        minItems: 1,
        maxItems: NOTIFICATION_TRIGGERS.length,
      }),
    ),
    provider: NotificationProvider,
    templates: Type.Optional(
      withRules(
        Type.Object(
          {},
          {
            additionalProperties: withRules(Type.String({ minLength: 1, maxLength: 2048 }), [
              {
                rule: templateRule,
                message: `a template names only {{ ${TEMPLATE_VARIABLES.join(' }}, {{ ')} }}, each closed by }}`,
              },
            ]),
            maxProperties: NOTIFICATION_TRIGGERS.length,
            description:
              'Trigger name → the message text, with {{ variable }} placeholders (docs/notifications.md); ' +
              'a trigger without one gets the default message.',
          },
        ),
        [
          {
            rule: `self.all(k, k in [${NOTIFICATION_TRIGGERS.map((t) => `'${t}'`).join(', ')}])`,
            message: `keys are trigger names: ${NOTIFICATION_TRIGGERS.join(', ')}`,
          },
        ],
      ),
    ),
    suspend: Type.Optional(
      Type.Boolean({ description: 'Send nothing; what happens meanwhile is not sent later.', default: false }),
    ),
  },
  { description: 'Who is told what about which Environments.' },
);

export const DELIVERY_RESULTS = ['Sent', 'Failed'] as const;

export const Delivery = Type.Object(
  {
    key: Type.String({ description: 'The trigger and what it is about (an operation, a revision).' }),
    environment: Type.String(),
    trigger: StringEnum(NOTIFICATION_TRIGGERS),
    result: StringEnum(DELIVERY_RESULTS),
    attempts: Type.Integer({ minimum: 1 }),
    at: Timestamp('When it was delivered or given up.'),
    message: Type.Optional(Type.String({ description: 'Why it failed.', maxLength: 1024 })),
  },
  { description: 'One message, delivered or given up.' },
);

export const WatchedEnvironment = Type.Object(
  {
    name: Type.String(),
    seen: Type.Array(Type.String(), {
      description: 'Keys of the events already handled (sent, given up, or there before it was watched).',
      maxItems: 64,
    }),
    degraded: Type.Optional(Type.Boolean({ description: 'A HealthDegraded was handled and no recovery since.' })),
  },
  { description: 'What this Notification has handled of one Environment.' },
);

export const NotificationStatus = Type.Object(
  {
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(Conditions),
    environments: Type.Optional(Type.Array(WatchedEnvironment, { maxItems: 256 })),
    deliveries: Type.Optional(Type.Array(Delivery, { description: 'The last deliveries, newest first.' })),
  },
  { description: 'What was sent, and whether the provider can be used.' },
);

/** The maps' value types, which TypeBox's Static of an object with only additionalProperties leaves out. */
export type NotificationSpec = Omit<Static<typeof NotificationSpec>, 'environments' | 'templates'> & {
  environments: { names?: string[]; matchLabels?: Record<string, string> };
  templates?: Partial<Record<NotificationTrigger, string>>;
};
export type NotificationStatus = Static<typeof NotificationStatus>;
export type NotificationProvider = Static<typeof NotificationProvider>;
export type Delivery = Static<typeof Delivery>;
export type WatchedEnvironment = Static<typeof WatchedEnvironment>;
export type NotificationTrigger = (typeof NOTIFICATION_TRIGGERS)[number];
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
