// The credentials of a GitRepository, from the Secret its spec.secretRef names. A missing
// Secret is worth waiting for; one that cannot be used stalls until it changes. Every
// value read is taught to the redactor, so it can never leak into a message.
import * as k8s from '@kubernetes/client-node';
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
  core: k8s.CoreV1Api,
  repo: { metadata: { namespace: string }; spec: GitRepositorySpec },
  redactor: SecretRedactor,
): Promise<GitCredentials | undefined> {
  const ref = repo.spec.secretRef?.name;
  if (!ref) return undefined;
  let secret: k8s.V1Secret;
  try {
    secret = await core.readNamespacedSecret({ namespace: repo.metadata.namespace, name: ref });
  } catch (err) {
    if (err instanceof k8s.ApiException && err.code === 404) {
      throw new WaitingError('SecretNotFound', `Secret "${ref}" named by spec.secretRef does not exist`, 15_000, {
        condition: FETCH_FAILED,
      });
    }
    throw err;
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
