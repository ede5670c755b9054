// One message delivered at least once: each step of the provider's plan is sent, and sent
// again after the delay the policy says (backoff, Retry-After) until it is delivered or the
// policy gives up. The clock and the wait are passed in, so the tests drive it without time.
import { UnansweredError, type SendRequest } from '../../adapters/notify/http-sender.ts';
import { decideAfterAttempt, type AttemptResult, type RetryPolicy } from '../../core/notify/delivery-policy.ts';
import { refusalOf, retryAfterOf, type DeliveryStep } from '../../core/notify/providers.ts';
import type { ProviderType } from '../../api/v1alpha1/notification.ts';

export interface DeliveryOptions {
  readonly send: SendRequest;
  readonly now: () => number;
  /** Waits `ms`; rejects (or resolves early) when the controller stops. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly policy: RetryPolicy;
  /** Told of each retry: the delay and why (a log line). */
  readonly onRetry?: (delayMs: number, why: string) => void;
  /** True once the controller stops: no further attempt. */
  readonly stopped?: () => boolean;
}

export interface DeliveryOutcome {
  readonly delivered: boolean;
  readonly attempts: number;
  readonly why?: string;
  /** The controller stopped before the message was delivered: it is not handled, a restart sends it. */
  readonly interrupted?: boolean;
}

export async function deliver(
  type: ProviderType,
  plan: DeliveryStep,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  let step: DeliveryStep | undefined = plan;
  let attempts = 0;
  while (step) {
    for (let attempt = 1; ; attempt++) {
      attempts++;
      let result: AttemptResult;
      let answer: unknown;
      try {
        const sent = await options.send(step.request);
        answer = sent.body;
        const retryAfter = sent.retryAfter ?? retryAfterOf(answer);
        const refusal = sent.status >= 200 && sent.status < 300 ? refusalOf(type, answer) : undefined;
        result = { kind: 'answered', status: sent.status, retryAfter, refusal };
      } catch (err) {
        if (!(err instanceof UnansweredError)) throw err;
        result = { kind: 'unanswered', error: err.message };
      }
      const decision = decideAfterAttempt(result, attempt, options.now(), options.policy);
      if (decision.kind === 'give-up') return { delivered: false, attempts, why: decision.why };
      if (decision.kind === 'delivered') {
        step = step.next?.(answer);
        break;
      }
      if (options.stopped?.()) return { delivered: false, attempts, why: decision.why, interrupted: true };
      options.onRetry?.(decision.delayMs, decision.why);
      await options.sleep(decision.delayMs);
      if (options.stopped?.()) return { delivered: false, attempts, why: decision.why, interrupted: true };
      // A create that may have landed looks for what it created before it is sent again.
      step = step.again ?? step;
    }
  }
  return { delivered: true, attempts };
}
