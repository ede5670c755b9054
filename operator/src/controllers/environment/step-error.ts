// Typed errors of the Environment's steps. A step throws; one place (reconcile's finally)
// turns the error into conditions and a requeue. Steps never set conditions themselves.

export type StepErrorKind =
  /** Needs a change by a person (a new commit, a spec change): no retry until then. */
  | 'stalled'
  /** Waiting for something that will come (an artifact, a hook): check again after a delay. */
  | 'waiting'
  /** A failure that may pass (the API server, the network): retry with backoff. */
  | 'transient';

export class StepError extends Error {
  readonly kind: StepErrorKind;
  /** PascalCase reason for the condition. */
  readonly reason: string;
  /** The condition this error sets False (SourceReady, Synthesized, SecretsResolved, Synced). */
  readonly condition: string;
  readonly delayMs: number | undefined;

  constructor(kind: StepErrorKind, condition: string, reason: string, message: string, delayMs?: number) {
    super(message);
    this.name = 'StepError';
    this.kind = kind;
    this.condition = condition;
    this.reason = reason;
    this.delayMs = delayMs;
  }
}

export const stalled = (condition: string, reason: string, message: string) =>
  new StepError('stalled', condition, reason, message);
export const waiting = (condition: string, reason: string, message: string, delayMs: number) =>
  new StepError('waiting', condition, reason, message, delayMs);
