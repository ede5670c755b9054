// Webhook deliveries from Git hosts: which repositories a push names, and whether the
// delivery is authentic for a repository's webhook token. GitHub signs the body
// (X-Hub-Signature-256, HMAC-SHA256), GitLab sends the token (X-Gitlab-Token), and any
// other sender can send the token as a bearer token with a JSON body naming the URL.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookProvider = 'github' | 'gitlab' | 'generic';

export interface WebhookDelivery {
  readonly provider: WebhookProvider;
  /** Repository URLs the payload names, normalized (see normalizeRepoUrl). */
  readonly urls: readonly string[];
  /** The event, when the provider says (push, tag_push, ping, ...). */
  readonly event?: string;
}

/** Headers with lower-case names, as node:http gives them. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class WebhookError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'WebhookError';
    this.status = status;
  }
}

/** Reads a delivery; throws WebhookError(400) when the body names no repository. */
export function parseDelivery(headers: Headers, body: Uint8Array): WebhookDelivery {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new WebhookError(400, 'the body is not JSON');
  }
  const provider: WebhookProvider =
    header(headers, 'x-hub-signature-256') || header(headers, 'x-github-event')
      ? 'github'
      : header(headers, 'x-gitlab-token') || header(headers, 'x-gitlab-event')
        ? 'gitlab'
        : 'generic';
  const event = header(headers, 'x-github-event') ?? header(headers, 'x-gitlab-event') ?? undefined;
  const candidates: unknown[] = [];
  const repo = payload.repository as Record<string, unknown> | undefined;
  const project = payload.project as Record<string, unknown> | undefined;
  candidates.push(
    repo?.clone_url,
    repo?.html_url,
    repo?.url,
    repo?.git_http_url,
    repo?.homepage,
    project?.git_http_url,
    project?.web_url,
    payload.url,
  );
  const urls = [
    ...new Set(
      candidates.filter((c): c is string => typeof c === 'string' && /^https?:\/\//.test(c)).map(normalizeRepoUrl),
    ),
  ];
  if (urls.length === 0)
    throw new WebhookError(
      400,
      'the payload names no repository URL (repository.clone_url, project.git_http_url or url)',
    );
  return { provider, urls, event: event || undefined };
}

/** A repository URL reduced for matching: lower-case host, no credentials, no `.git`, no trailing slash. */
export function normalizeRepoUrl(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
    return `${u.host.toLowerCase()}${path}`;
  } catch {
    return url;
  }
}

/** True when the delivery carries proof of `token` the way its provider sends it. */
export function isAuthentic(delivery: WebhookDelivery, headers: Headers, body: Uint8Array, token: string): boolean {
  switch (delivery.provider) {
    case 'github': {
      const signature = header(headers, 'x-hub-signature-256') ?? '';
      const expected = `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;
      return constantTimeEqual(signature, expected);
    }
    case 'gitlab':
      return constantTimeEqual(header(headers, 'x-gitlab-token') ?? '', token);
    case 'generic': {
      const auth = header(headers, 'authorization') ?? '';
      return constantTimeEqual(auth.replace(/^Bearer\s+/i, ''), token);
    }
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
