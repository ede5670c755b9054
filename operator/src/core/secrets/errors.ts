// Typed errors of secret resolution. Each names the pass path (or the key, or the store)
// and never a value: messages are built only from paths, field names and key ids.
import { describeKey, type ObjectKey } from '../manifest.ts';

export const PASS_ERROR_REASONS = [
  'NoSuchEntry',
  'NoSuchField',
  'NotARecipient',
  'WrongPassphrase',
  'InvalidKey',
  'CorruptEntry',
  'StoreUnavailable',
  'InvalidReference',
] as const;
/** Why one pass reference (or the whole store) failed; PascalCase, usable as a condition reason. */
export type PassErrorReason = (typeof PASS_ERROR_REASONS)[number];

/** One failure: an entry, a field, the key or the store. `path` is '' when it is not about one entry. */
export class PassSecretError extends Error {
  readonly reason: PassErrorReason;
  readonly path: string;
  readonly detail: string;

  constructor(reason: PassErrorReason, path: string, detail: string) {
    super(path ? `${reason}: pass entry "${path}": ${detail}` : `${reason}: ${detail}`);
    this.name = 'PassSecretError';
    this.reason = reason;
    this.path = path;
    this.detail = detail;
  }

  /** True when trying again later may succeed without a change to the store or the references. */
  get isTransient(): boolean {
    return this.reason === 'StoreUnavailable';
  }
}

/** One reference of one Secret that did not resolve. */
export interface ReferenceFailure {
  readonly secret: ObjectKey;
  /** The data key of the Secret; '' when the Secret's whole annotation is invalid. */
  readonly dataKey: string;
  readonly error: PassSecretError;
}

/** Every failed reference of one resolution: the environment's sync stops before anything is applied. */
export class SecretsResolutionError extends Error {
  readonly failures: readonly ReferenceFailure[];

  constructor(failures: readonly ReferenceFailure[]) {
    super(`${failures.length} pass reference(s) did not resolve: ${failures.map(formatFailure).join('; ')}`);
    this.name = 'SecretsResolutionError';
    this.failures = failures;
  }

  /** The common reason of all failures, or `SecretsUnresolved` when they differ: the `SecretsResolved=False` reason. */
  get reason(): PassErrorReason | 'SecretsUnresolved' {
    const reasons = new Set(this.failures.map((f) => f.error.reason));
    return reasons.size === 1 ? [...reasons][0]! : 'SecretsUnresolved';
  }

  /** True when every failure may go away by itself (the store was unreachable). */
  get isTransient(): boolean {
    return this.failures.every((f) => f.error.isTransient);
  }
}

/** `Secret shop/db key "password": NoSuchEntry: pass entry "prod/db": …` */
export function formatFailure(failure: ReferenceFailure): string {
  const where = failure.dataKey
    ? `${describeKey(failure.secret)} key "${failure.dataKey}"`
    : describeKey(failure.secret);
  return `${where}: ${failure.error.message}`;
}

/** Wraps anything thrown while reading a store into a PassSecretError without losing a typed one. */
export function asPassSecretError(err: unknown, path: string, fallback: PassErrorReason): PassSecretError {
  if (err instanceof PassSecretError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new PassSecretError(fallback, path, detail);
}
