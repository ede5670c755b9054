// Sends one provider request over HTTP(S) with a time limit and reads the answer. Thin: the
// request comes from core/notify/providers.ts and the answer goes back to it. The URL can hold
// a token (Telegram's bot URL), so neither it nor the headers are ever in an error or a log.
import type { HttpRequest } from '../../core/notify/providers.ts';

export interface SentAnswer {
  readonly status: number;
  readonly retryAfter?: string;
  /** The answer's body: parsed JSON, else its text. */
  readonly body: unknown;
}

/** The request got no answer (refused, reset, timed out). The message names no URL. */
export class UnansweredError extends Error {
  override readonly name = 'UnansweredError';
}

export interface HttpSenderOptions {
  /** @default 10_000 */
  readonly timeoutMs?: number;
}

export type SendRequest = (request: HttpRequest) => Promise<SentAnswer>;

export function httpSender(options: HttpSenderOptions = {}): SendRequest {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (request) => {
    let res: Response;
    try {
      res = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new UnansweredError(describe(err, timeoutMs));
    }
    let text = '';
    try {
      text = await res.text();
    } catch {
      // an answer without a readable body is still the status
    }
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: the text
    }
    const retryAfter = res.headers.get('retry-after') ?? undefined;
    return retryAfter === undefined ? { status: res.status, body } : { status: res.status, body, retryAfter };
  };
}

/** Why a fetch got no answer, from its error's code only (fetch's messages can carry the URL). */
function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : 'unknown error';
  return `no answer (${code})`;
}
