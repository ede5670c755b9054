// Retries of a failed automated sync: how many, and how long to wait before the next.
import type { RetryPolicy } from '../../api/v1alpha1/environment.ts';
import { parseDuration } from '../duration.ts';

export const DEFAULT_RETRY = { limit: 5, durationMs: 5000, factor: 2, maxDurationMs: 180_000 } as const;

export interface ResolvedRetry {
  readonly limit: number;
  readonly durationMs: number;
  readonly factor: number;
  readonly maxDurationMs: number;
}

export function resolveRetry(policy: RetryPolicy | undefined): ResolvedRetry {
  const b = policy?.backoff;
  return {
    limit: policy?.limit ?? DEFAULT_RETRY.limit,
    durationMs: b?.duration ? parseDuration(b.duration) : DEFAULT_RETRY.durationMs,
    factor: b?.factor ?? DEFAULT_RETRY.factor,
    maxDurationMs: b?.maxDuration ? parseDuration(b.maxDuration) : DEFAULT_RETRY.maxDurationMs,
  };
}

/** Delay before retry number `attempt` (1 for the first retry). */
export function retryDelayMs(retry: ResolvedRetry, attempt: number): number {
  const delay = retry.durationMs * retry.factor ** Math.max(0, attempt - 1);
  return Math.min(delay, retry.maxDurationMs);
}
