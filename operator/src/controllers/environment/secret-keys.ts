// The keys of a Secret an Environment names for the sources its synthesis reaches (chart
// repositories, npm registries): read now, the secret values handed to the redactor. A Secret that
// does not exist (yet) is waited for; one without the keys stalls the Environment, naming the
// field that points at it.
import type { SecretReader } from '../../adapters/kubernetes/secret-reader.ts';
import { secretValue } from '../../adapters/kubernetes/secret-reader.ts';
import type { SecretRedactor } from '../../core/redact.ts';
import { StalledError, WaitingError } from '../reconcile-errors.ts';
import { ConditionType } from '../../api/v1alpha1/conditions.ts';

export interface SecretKeysRequest {
  readonly namespace: string;
  readonly name: string;
  /** The field that names the Secret, for messages: `spec.npmRegistries[0].secretRef`. */
  readonly field: string;
  readonly keys: readonly string[];
  /** The keys whose values are secret (a password, a token), handed to the redactor; a username is not. */
  readonly secret: readonly string[];
  /** Condition reasons: the Secret is missing, or lacks a key. */
  readonly reasons: { readonly notFound: string; readonly invalid: string };
}

export async function readSecretKeys(
  secrets: SecretReader,
  redactor: SecretRedactor,
  request: SecretKeysRequest,
): Promise<Record<string, string>> {
  const { namespace, name, field, keys, secret: secretKeys, reasons } = request;
  const secret = await secrets.read(namespace, name);
  if (!secret) {
    throw new WaitingError(reasons.notFound, `Secret "${name}" named by ${field} does not exist`, 15_000, {
      condition: ConditionType.Synthesized,
    });
  }
  const values: Record<string, string> = {};
  for (const key of keys) {
    const value = secretValue(secret, key);
    if (!value) {
      throw new StalledError(
        reasons.invalid,
        `Secret "${name}" named by ${field} needs the key${keys.length > 1 ? 's' : ''} ${keys.join(' and ')}`,
        { condition: ConditionType.Synthesized },
      );
    }
    if (secretKeys.includes(key)) redactor.remember(value);
    values[key] = value;
  }
  return values;
}
