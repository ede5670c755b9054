// The credentials of a GitRepository, from the Secret its spec.secretRef names. A missing
// Secret is worth waiting for; one that cannot be used stalls until it changes. Every
// value read is taught to the redactor, so it can never leak into a message.
import type { SecretReader } from '../adapters/kubernetes/secret-reader.ts';
import type { GitRepositorySpec } from '../api/v1alpha1/index.ts';
import type { SecretRedactor } from '../core/redact.ts';
import {
  CredentialsInvalidError,
  credentialsFromSecretData,
  type GitCredentials,
} from '../adapters/git/credentials.ts';
import { StalledError, WaitingError } from './reconcile-errors.ts';

const FETCH_FAILED = 'FetchFailed';

export async function loadCredentials(
  secrets: SecretReader,
  repo: { metadata: { namespace: string }; spec: GitRepositorySpec },
  redactor: SecretRedactor,
): Promise<GitCredentials | undefined> {
  const ref = repo.spec.secretRef?.name;
  if (!ref) return undefined;
  const secret = await secrets.read(repo.metadata.namespace, ref);
  if (!secret) {
    throw new WaitingError('SecretNotFound', `Secret "${ref}" named by spec.secretRef does not exist`, 15_000, {
      condition: FETCH_FAILED,
    });
  }
  try {
    const credentials = credentialsFromSecretData(ref, secret.data);
    for (const value of [credentials.password, credentials.bearerToken]) if (value) redactor.remember(value);
    return credentials;
  } catch (err) {
    if (err instanceof CredentialsInvalidError)
      throw new StalledError('CredentialsInvalid', err.message, { condition: FETCH_FAILED });
    throw err;
  }
}
