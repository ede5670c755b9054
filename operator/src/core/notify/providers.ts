// The providers: what each one needs (resolved from spec.provider and its Secret), the HTTP
// request that delivers one message to it, and how to read its answer. Pure: the adapter sends
// what this builds and hands the answer back.
import { createHmac } from 'node:crypto';
import {
  PROVIDER_TYPES,
  type NotificationProvider,
  type NotificationTrigger,
  type ProviderType,
} from '../../api/v1alpha1/notification.ts';
import { Reason } from '../../api/v1alpha1/conditions.ts';
import type { TemplateVariables } from './template.ts';

export interface ResolvedProvider {
  readonly type: ProviderType;
  readonly address: string;
  readonly token?: string;
  readonly channel?: string;
  readonly repository?: string;
}

export type ProviderResolution =
  | { readonly ok: true; readonly provider: ResolvedProvider }
  | { readonly ok: false; readonly reason: string; readonly message: string };

const PUBLIC_API: Partial<Record<ProviderType, string>> = {
  telegram: 'https://api.telegram.org',
  github: 'https://api.github.com',
  githubDeployment: 'https://api.github.com',
};

export function isProviderType(type: string): type is ProviderType {
  return (PROVIDER_TYPES as readonly string[]).includes(type);
}

/** What the provider needs, from the spec and the Secret's data (undefined: no secretRef). */
export function resolveProvider(
  spec: NotificationProvider,
  secret: Readonly<Record<string, string>> | undefined,
): ProviderResolution {
  const { type } = spec;
  if (!isProviderType(type))
    return {
      ok: false,
      reason: Reason.UnknownProvider,
      message: `no provider "${type}" (${PROVIDER_TYPES.join(', ')})`,
    };
  const token = secret?.token;
  const invalid = (what: string): ProviderResolution => ({
    ok: false,
    reason: Reason.ProviderInvalid,
    message: `${type} needs ${what}`,
  });
  const webhook = secret?.address ?? spec.address;
  switch (type) {
    case 'telegram':
      if (!token) return invalid('a bot token: `token` in the Secret spec.provider.secretRef names');
      if (!spec.channel) return invalid('spec.provider.channel, the chat_id');
      break;
    case 'slack':
      if (token && !spec.channel) return invalid('spec.provider.channel for chat.postMessage');
      if (!token && !webhook) return invalid('a webhook URL (`address` in the Secret or spec.provider.address)');
      if (token) return done({ type, token, channel: spec.channel, address: spec.address ?? 'https://slack.com/api' });
      return done({ type, address: webhook! });
    case 'teams':
    case 'webhook':
      if (!webhook) return invalid('a URL (`address` in the Secret or spec.provider.address)');
      return done({ type, address: webhook, token });
    case 'github':
    case 'githubDeployment':
      if (!token) return invalid('a token: `token` in the Secret spec.provider.secretRef names');
      if (!spec.repository) return invalid('spec.provider.repository (owner/name)');
      break;
  }
  return done({
    type,
    address: spec.address ?? PUBLIC_API[type]!,
    token,
    channel: spec.channel,
    repository: spec.repository,
  });
}

function done(provider: ResolvedProvider): ProviderResolution {
  return { ok: true, provider };
}

export interface HttpRequest {
  readonly method: 'POST' | 'GET';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One request, and for a delivery of several the request that follows from its answer. */
export interface DeliveryStep {
  readonly request: HttpRequest;
  readonly next?: (answer: unknown) => DeliveryStep | undefined;
  /**
   * What to send instead when this request must be tried again: a create whose answer was lost
   * may have landed, so its retry looks for what it created first.
   */
  readonly again?: DeliveryStep;
}

/** The task of the GitHub deployments Keelson creates, by which it finds them again. */
export const GITHUB_DEPLOYMENT_TASK = 'deploy:keelson';

/** The header of the generic webhook's signature: `sha256=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = 'X-Keelson-Signature-256';

export function signBody(body: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

const GITHUB_STATE: Readonly<Record<NotificationTrigger, 'success' | 'failure' | 'pending' | 'error'>> = {
  SyncSucceeded: 'success',
  RolledBack: 'success',
  HealthRecovered: 'success',
  SyncFailed: 'failure',
  HealthDegraded: 'failure',
  SourceFailed: 'error',
  ManualSyncPending: 'pending',
};

const json = (url: string, body: unknown, headers: Record<string, string> = {}): HttpRequest & { body: string } => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** The delivery of `text` (rendered from `vars`) to the provider. */
export function planDelivery(p: ResolvedProvider, text: string, vars: TemplateVariables): DeliveryStep {
  const base = p.address.replace(/\/+$/, '');
  const github = { authorization: `Bearer ${p.token}`, accept: 'application/vnd.github+json' };
  const trigger = vars.trigger as NotificationTrigger;
  const description = text.split('\n')[0]!.slice(0, 140);
  switch (p.type) {
    case 'telegram':
      return { request: json(`${base}/bot${p.token}/sendMessage`, { chat_id: p.channel, text }) };
    case 'slack':
      return p.token
        ? {
            request: json(
              `${base}/chat.postMessage`,
              { channel: p.channel, text },
              { authorization: `Bearer ${p.token}` },
            ),
          }
        : { request: json(p.address, { text }) };
    case 'teams':
      return {
        request: json(p.address, {
          type: 'message',
          attachments: [
            {
              contentType: 'application/vnd.microsoft.card.adaptive',
              content: {
                type: 'AdaptiveCard',
                version: '1.4',
                $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
                body: [{ type: 'TextBlock', text, wrap: true }],
              },
            },
          ],
        }),
      };
    case 'webhook': {
      const request = json(p.address, { ...vars, text });
      return {
        request: p.token
          ? { ...request, headers: { ...request.headers, [SIGNATURE_HEADER]: signBody(request.body, p.token) } }
          : request,
      };
    }
    case 'github':
      return {
        request: json(
          `${base}/repos/${p.repository}/statuses/${vars.commit}`,
          {
            state: GITHUB_STATE[trigger],
            target_url: vars.url || undefined,
            description,
            context: `keelson/${vars.environment}`,
          },
          github,
        ),
      };
    case 'githubDeployment': {
      // One deployment per commit and environment, found again before one is created: a retry
      // after a lost answer, a restart or a later trigger of the same revision adds a status to it.
      const deployments = `${base}/repos/${p.repository}/deployments`;
      const status = (id: number): DeliveryStep => ({
        request: json(
          `${deployments}/${id}/statuses`,
          { state: GITHUB_STATE[trigger], environment_url: vars.url || undefined, description },
          github,
        ),
      });
      const query = new URLSearchParams({
        sha: vars.commit,
        environment: vars.environment,
        task: GITHUB_DEPLOYMENT_TASK,
        per_page: '1',
      });
      const lookup: DeliveryStep = {
        request: { method: 'GET', url: `${deployments}?${query}`, headers: github },
        next: (answer) => {
          const id = Array.isArray(answer) ? idOf(answer[0]) : undefined;
          return id === undefined ? create : status(id);
        },
      };
      const create: DeliveryStep = {
        request: json(
          deployments,
          {
            ref: vars.commit,
            environment: vars.environment,
            task: GITHUB_DEPLOYMENT_TASK,
            auto_merge: false,
            required_contexts: [],
            description,
          },
          github,
        ),
        next: (answer) => {
          const id = idOf(answer);
          return id === undefined ? undefined : status(id);
        },
        again: lookup,
      };
      return lookup;
    }
  }
}

function idOf(answer: unknown): number | undefined {
  const id = (answer as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'number' ? id : undefined;
}

/** A provider's "not accepted" inside a 2xx answer (Slack's and Telegram's `ok: false`), if any. */
export function refusalOf(type: ProviderType, answer: unknown): string | undefined {
  if (type !== 'slack' && type !== 'telegram') return undefined;
  const body = answer as { ok?: unknown; error?: unknown; description?: unknown } | null;
  if (typeof body !== 'object' || body === null || body.ok !== false) return undefined;
  return `${type} refused the message: ${String(body.error ?? body.description ?? 'ok: false')}`;
}

/** A Retry-After a provider puts in its body (Telegram's parameters.retry_after, seconds). */
export function retryAfterOf(answer: unknown): string | undefined {
  const seconds = (answer as { parameters?: { retry_after?: unknown } } | null)?.parameters?.retry_after;
  return typeof seconds === 'number' ? String(seconds) : undefined;
}
