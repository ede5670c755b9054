// One loopback HTTP server that answers as each notification provider's API does, and records
// what it was sent: Telegram's Bot API (/telegram/bot<token>/sendMessage), Slack's incoming
// webhooks (/slack/services/...) and chat.postMessage (/slack/api/chat.postMessage), a Teams
// workflow webhook (/teams/...), a generic webhook (/webhook/...) and GitHub's commit and
// deployments, listed by sha, environment and task, and their statuses
// (/github/repos/<owner>/<repo>/...). Wrong credentials get each API's own refusal; scripted
// answers (a 429 with Retry-After, a 500, a create whose answer is lost) and a route that never
// answers stand in for a provider that throttles or is down.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body, as signed. */
  readonly raw: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** The request takes effect as it would have; only its answer is this one (a lost answer). */
  readonly processed?: boolean;
}

/** A GitHub deployment as the fake stores it. */
export interface FakeDeployment {
  readonly id: number;
  readonly repository: string;
  readonly sha: string;
  readonly environment: string;
  readonly task: string;
}

export interface ChatProviderTokens {
  /** The bot token Telegram accepts. */
  readonly telegram: string;
  /** The bot token Slack's chat.postMessage accepts. */
  readonly slack: string;
  /** The token GitHub accepts. */
  readonly github: string;
}

export class ChatProviders {
  readonly received: ReceivedRequest[] = [];
  readonly #server: Server;
  readonly #tokens: ChatProviderTokens;
  readonly #scripts: { prefix: string; method?: string; answers: ScriptedAnswer[] }[] = [];
  /** The GitHub deployments created, oldest first. */
  readonly deployments: FakeDeployment[] = [];
  readonly #hanging = new Set<string>();
  readonly #held: ServerResponse[] = [];
  #nextId = 1;
  url = '';

  private constructor(tokens: ChatProviderTokens) {
    this.#tokens = tokens;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(tokens: ChatProviderTokens): Promise<ChatProviders> {
    const providers = new ChatProviders(tokens);
    await new Promise<void>((resolve) => providers.#server.listen(0, '127.0.0.1', resolve));
    providers.url = `http://127.0.0.1:${(providers.#server.address() as AddressInfo).port}`;
    return providers;
  }

  /** The next requests whose path starts with `prefix` (and of `method`, if given) get these answers, in order. */
  script(prefix: string, answers: ScriptedAnswer[], method?: string): void {
    this.#scripts.push({ prefix, method, answers: [...answers] });
  }

  /** Requests whose path starts with `prefix` are never answered (until stop). */
  hang(prefix: string): void {
    this.#hanging.add(prefix);
  }

  /** What was sent to paths starting with `prefix`. */
  to(prefix: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path.startsWith(prefix));
  }

  async stop(): Promise<void> {
    for (const res of this.#held) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // not JSON: answered below as each API answers a bad payload
    }
    const path = req.url ?? '/';
    this.received.push({ path, headers: req.headers, raw, body, at: Date.now() });
    if ([...this.#hanging].some((p) => path.startsWith(p))) {
      this.#held.push(res);
      return;
    }
    const script = this.#scripts.find(
      (s) => path.startsWith(s.prefix) && (s.method ?? req.method) === req.method && s.answers.length > 0,
    );
    const scripted = script?.answers.shift();
    if (scripted?.processed) this.#answer(req, path, body);
    if (scripted) return send(res, scripted.status, scripted.body ?? '', scripted.headers);
    const answer = this.#answer(req, path, body);
    send(res, answer.status, answer.body ?? '', answer.headers);
  }

  #answer(req: IncomingMessage, path: string, body: Record<string, unknown>): ScriptedAnswer {
    const auth = req.headers.authorization;
    const telegram = /^\/telegram\/bot([^/]+)\/sendMessage$/.exec(path);
    if (telegram) {
      if (telegram[1] !== this.#tokens.telegram)
        return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
      if (!body.chat_id || !body.text)
        return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
      return { status: 200, body: { ok: true, result: { message_id: this.#nextId++, text: body.text } } };
    }
    if (path.startsWith('/slack/services/'))
      return typeof body.text === 'string' ? { status: 200, body: 'ok' } : { status: 400, body: 'invalid_payload' };
    if (path === '/slack/api/chat.postMessage') {
      if (auth !== `Bearer ${this.#tokens.slack}`) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      if (!body.channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
      return { status: 200, body: { ok: true, channel: body.channel, ts: `${this.#nextId++}.000` } };
    }
    if (path.startsWith('/teams/'))
      return Array.isArray(body.attachments) ? { status: 202 } : { status: 400, body: { error: 'no attachments' } };
    if (path.startsWith('/webhook/')) return { status: 200, body: { received: true } };
    if (path.startsWith('/github/')) {
      if (auth !== `Bearer ${this.#tokens.github}`) return { status: 401, body: { message: 'Bad credentials' } };
      if (/\/statuses\/[0-9a-f]{40}$/.test(path) || /\/deployments\/\d+\/statuses$/.test(path))
        return { status: 201, body: { id: this.#nextId++, state: body.state } };
      const deployments = /^\/github\/repos\/([^/]+\/[^/]+)\/deployments(?:\?(.*))?$/.exec(path);
      if (deployments && req.method === 'GET') {
        const query = new URLSearchParams(deployments[2] ?? '');
        const matches = this.deployments
          .filter((d) => d.repository === deployments[1])
          .filter((d) => ['sha', 'environment', 'task'].every((k) => !query.has(k) || query.get(k) === d[k as 'sha']))
          .reverse();
        return { status: 200, body: matches.slice(0, Number(query.get('per_page') ?? 30)) };
      }
      if (deployments) {
        const created: FakeDeployment = {
          id: this.#nextId++,
          repository: deployments[1]!,
          sha: String(body.ref),
          environment: String(body.environment ?? 'production'),
          task: String(body.task ?? 'deploy'),
        };
        this.deployments.push(created);
        return { status: 201, body: { ...created, ref: body.ref } };
      }
      return { status: 404, body: { message: 'Not Found' } };
    }
    return { status: 404, body: 'no such route' };
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}
