// When to try a delivery again: a 429 waits what the provider says (Retry-After, in seconds or
// as an HTTP date, or Telegram's parameters.retry_after), a 5xx, a 408 or no answer backs off
// exponentially, anything else is the provider refusing the message and is not retried. And how
// fast one Notification may send: a token bucket, so a burst of events does not get its
// provider to throttle it.

export interface RetryPolicy {
  /** Attempts in all, the first included. @default 8 */
  readonly maxAttempts: number;
  /** The first backoff. @default 1000 */
  readonly baseDelayMs: number;
  /** The longest backoff, and the longest Retry-After honoured. @default 300_000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 300_000 };

/** What an attempt ended with: the provider's answer, or none (refused, timed out). */
export type AttemptResult =
  | { readonly kind: 'answered'; readonly status: number; readonly retryAfter?: string; readonly refusal?: string }
  | { readonly kind: 'unanswered'; readonly error: string };

export type Decision =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly why: string }
  | { readonly kind: 'give-up'; readonly why: string };

/**
 * After attempt number `attempt` (1 for the first): delivered, wait and retry, or give up.
 * `refusal` is a provider's "not accepted" inside a 200 (Slack's `ok: false`); `now` is for an
 * HTTP-date Retry-After.
 */
export function decideAfterAttempt(result: AttemptResult, attempt: number, now: number, policy: RetryPolicy): Decision {
  const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  const retry = (delayMs: number, why: string): Decision =>
    attempt >= policy.maxAttempts
      ? { kind: 'give-up', why: `${why} (gave up after ${attempt} attempts)` }
      : { kind: 'retry', delayMs, why };
  if (result.kind === 'unanswered') return retry(backoff, result.error);
  const { status } = result;
  if (status === 429) {
    const asked = parseRetryAfter(result.retryAfter, now);
    return retry(asked === undefined ? backoff : Math.min(asked, policy.maxDelayMs), 'HTTP 429 Too Many Requests');
  }
  if (status >= 500 || status === 408) return retry(backoff, `HTTP ${status}`);
  if (status >= 200 && status < 300 && result.refusal === undefined) return { kind: 'delivered' };
  return { kind: 'give-up', why: result.refusal ?? `HTTP ${status}` };
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface RateLimit {
  /** Messages sent at once before the limit applies. */
  readonly burst: number;
  /** Milliseconds per message after the burst. */
  readonly intervalMs: number;
}

/** Slack's incoming webhooks take one message a second; that is the pace for every provider. */
export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 5, intervalMs: 1000 };

/** A token bucket; `take(now)` reserves one message and says how long to wait before sending it. */
export class TokenBucket {
  readonly #limit: RateLimit;
  #tokens: number;
  #at: number | undefined;

  constructor(limit: RateLimit) {
    this.#limit = limit;
    this.#tokens = limit.burst;
  }

  take(now: number): number {
    if (this.#at !== undefined)
      this.#tokens = Math.min(this.#limit.burst, this.#tokens + (now - this.#at) / this.#limit.intervalMs);
    this.#at = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens * this.#limit.intervalMs);
  }
}
