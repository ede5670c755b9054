// The `SecretsResolved` condition of an Environment from the outcome of one resolution.
// The message names Secrets, data keys, pass paths and reasons: never a value.
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.ts';
import type { ConditionUpdate } from '../conditions.ts';
import { formatFailure, PassSecretError, SecretsResolutionError } from './errors.ts';

export const SECRETS_RESOLVED = ConditionType.SecretsResolved;
const MAX_LISTED = 5;

/** True with the count when every reference resolved; False with the typed reason otherwise. */
export function secretsResolvedCondition(
  outcome: { readonly references: number } | SecretsResolutionError | PassSecretError,
): ConditionUpdate {
  if (outcome instanceof SecretsResolutionError) {
    const listed = outcome.failures.slice(0, MAX_LISTED).map(formatFailure);
    const more = outcome.failures.length > MAX_LISTED ? `; and ${outcome.failures.length - MAX_LISTED} more` : '';
    return { type: SECRETS_RESOLVED, status: 'False', reason: outcome.reason, message: `${listed.join('; ')}${more}` };
  }
  if (outcome instanceof PassSecretError) {
    return { type: SECRETS_RESOLVED, status: 'False', reason: outcome.reason, message: outcome.message };
  }
  if (outcome.references === 0)
    return {
      type: SECRETS_RESOLVED,
      status: 'True',
      reason: Reason.NoPassSecrets,
      message: 'no PassSecret references',
    };
  return {
    type: SECRETS_RESOLVED,
    status: 'True',
    reason: Reason.Resolved,
    message: `${outcome.references} pass references resolved`,
  };
}
