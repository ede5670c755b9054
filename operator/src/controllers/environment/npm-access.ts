// How the operator authenticates to the npm registries a deploy repository with its own
// package.json installs from: the Environment's spec.npmRegistries, the longest matching URL
// prefix winning, with the `token` of the Secret an entry names. The token goes to the
// dependency store and to the redactor, never to the deploy repository's code, a log or a
// condition.
import type { KubeConnection } from '../../adapters/kubernetes/kubeconfig.ts';
import { secretsOf, type SecretReader } from '../../adapters/kubernetes/secret-reader.ts';
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { SecretRedactor } from '../../core/redact.ts';
import { readSecretKeys } from './secret-keys.ts';
import { Reason } from '../../api/v1alpha1/conditions.ts';

export type NpmAccessResolver = (registryUrl: string) => { readonly token?: string };

export class NpmAccessLoader {
  readonly #secrets: SecretReader;
  readonly #redactor: SecretRedactor;

  constructor(kubeConfig: KubeConnection, redactor: SecretRedactor) {
    this.#secrets = secretsOf(kubeConfig);
    this.#redactor = redactor;
  }

  /** The resolver of one Environment, its Secrets read now; undefined when it names no npm registries. */
  async load(env: EnvironmentResource): Promise<NpmAccessResolver | undefined> {
    const entries = env.spec.npmRegistries ?? [];
    if (entries.length === 0) return undefined;
    const resolved = await Promise.all(
      entries.map(async (entry, i) => ({
        prefix: withSlash(entry.url),
        token: await this.#token(env.metadata.namespace, entry.secretRef.name, i),
      })),
    );
    resolved.sort((a, b) => b.prefix.length - a.prefix.length);
    return (url) => {
      const token = resolved.find((r) => withSlash(url).startsWith(r.prefix))?.token;
      return token === undefined ? {} : { token };
    };
  }

  async #token(namespace: string, name: string, index: number): Promise<string> {
    const { token } = await readSecretKeys(this.#secrets, this.#redactor, {
      namespace,
      name,
      field: `spec.npmRegistries[${index}].secretRef`,
      keys: ['token'],
      secret: ['token'],
      reasons: { notFound: Reason.NpmCredentialsNotFound, invalid: Reason.NpmCredentialsInvalid },
    });
    // A token written to a file for `kubectl create secret --from-file` ends with a newline.
    const trimmed = token!.trim();
    this.#redactor.remember(trimmed);
    return trimmed;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
