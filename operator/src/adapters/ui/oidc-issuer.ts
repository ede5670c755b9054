// The OIDC issuer of the UI's single sign-on, over HTTPS (trusting a private CA when given one):
// its discovery document, cached an hour and checked against the configured issuer, and the
// token endpoint's exchange of a code and PKCE verifier for the ID token (a public client: no
// secret). Every failure is SsoError('provider') with a message that never holds the code,
// the verifier or a token.
import { request } from 'node:https';
import { SsoError } from './sso.ts';

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
}

export type HttpsCall = (
  url: string,
  init: { readonly method: 'GET' | 'POST'; readonly headers: Record<string, string>; readonly body?: string },
) => Promise<HttpsAnswer>;

export interface OidcIssuerOptions {
  /** As the API server's --oidc-issuer-url, which the discovery document must name exactly. */
  readonly issuerUrl: string;
  /** PEM CA certificates of the issuer's TLS; absent: Node's. */
  readonly ca?: string | Buffer;
  /** @default node:https with `ca`, a 10 s timeout and answers of at most 1 MiB */
  readonly call?: HttpsCall;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default 1 hour */
  readonly discoveryTtlMs?: number;
}

export interface IssuerEndpoints {
  readonly authorization: string;
  readonly token: string;
}

export interface CodeExchange {
  readonly code: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly clientId: string;
}

export class OidcIssuer {
  readonly #options: OidcIssuerOptions;
  readonly #call: HttpsCall;
  #cached: { readonly endpoints: IssuerEndpoints; readonly expiresAt: number } | undefined;

  constructor(options: OidcIssuerOptions) {
    this.#options = options;
    this.#call = options.call ?? httpsCall(options.ca);
  }

  /** The authorization and token endpoints, from the discovery document. */
  async endpoints(): Promise<IssuerEndpoints> {
    const now = (this.#options.clock ?? Date.now)();
    if (this.#cached && this.#cached.expiresAt > now) return this.#cached.endpoints;
    const issuer = this.#options.issuerUrl;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const doc = parseJson(await this.#send(url, { method: 'GET', headers: { accept: 'application/json' } }), url);
    if (doc.issuer !== issuer)
      throw new SsoError('provider', `${url} names the issuer ${JSON.stringify(doc.issuer)}, not ${issuer}`);
    const endpoints = {
      authorization: httpsUrl(doc.authorization_endpoint, 'authorization_endpoint'),
      token: httpsUrl(doc.token_endpoint, 'token_endpoint'),
    };
    this.#cached = { endpoints, expiresAt: now + (this.#options.discoveryTtlMs ?? 3600_000) };
    return endpoints;
  }

  /** The ID token the token endpoint gives for the code and verifier. */
  async exchange(exchange: CodeExchange): Promise<string> {
    const { token } = await this.endpoints();
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: exchange.code,
      redirect_uri: exchange.redirectUri,
      client_id: exchange.clientId,
      code_verifier: exchange.verifier,
    }).toString();
    const answer = await this.#send(token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    });
    const idToken = parseJson(answer, token).id_token;
    if (typeof idToken !== 'string' || idToken === '')
      throw new SsoError('provider', 'the token endpoint answered no id_token (is the openid scope asked for?)');
    return idToken;
  }

  async #send(url: string, init: Parameters<HttpsCall>[1]): Promise<HttpsAnswer> {
    let answer: HttpsAnswer;
    try {
      answer = await this.#call(url, init);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new SsoError('provider', `the issuer could not be reached at ${url}: ${reason}`);
    }
    if (answer.status !== 200) {
      // An OAuth error answer names the error in a short ASCII code; its description is not logged.
      const error = oauthError(answer.body);
      throw new SsoError('provider', `${url} answered ${answer.status}${error ? ` (${error})` : ''}`);
    }
    return answer;
  }
}

function parseJson(answer: HttpsAnswer, url: string): Record<string, unknown> {
  try {
    const value = JSON.parse(answer.body) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SsoError('provider', `${url} answered something other than a JSON object`);
}

function oauthError(body: string): string | undefined {
  try {
    const error = (JSON.parse(body) as { error?: unknown } | null)?.error;
    return typeof error === 'string' && /^[\w.-]{1,64}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}

function httpsUrl(value: unknown, field: string): string {
  if (typeof value === 'string' && URL.canParse(value) && new URL(value).protocol === 'https:') return value;
  throw new SsoError('provider', `the discovery document's ${field} is not an https URL`);
}

const MAX_ANSWER = 1024 * 1024;

/** HTTPS requests with Node's https module, trusting `ca` when given. */
export function httpsCall(ca: string | Buffer | undefined): HttpsCall {
  return (url, init) =>
    new Promise((resolve, reject) => {
      if (!url.startsWith('https://')) return reject(new Error(`not an https URL: ${url}`));
      const headers: Record<string, string | number> = { ...init.headers };
      if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
      const req = request(url, { method: init.method, headers, ca, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER) req.destroy(new Error(`the answer is over ${MAX_ANSWER} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out after 10 s'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(init.body);
    });
}
