// How the operator authenticates to the npm registries a deploy repository with its own
// package.json installs from: the Environment's spec.npmRegistries, the longest matching URL
// prefix winning, with the `token` of the Secret an entry names. The token goes to the
// dependency store and to the redactor, never to the deploy repository's code, a log or a
// condition.
import * as k8s from '@kubernetes/client-node';
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { SecretRedactor } from '../../core/redact.ts';
import { stalled, waiting } from './step-error.ts';

export type NpmAccessResolver = (registryUrl: string) => { readonly token?: string };

export class NpmAccessLoader {
  readonly #core: k8s.CoreV1Api;
  readonly #redactor: SecretRedactor;

  constructor(kubeConfig: k8s.KubeConfig, redactor: SecretRedactor) {
    this.#core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.#redactor = redactor;
  }

  /** The resolver of one Environment, its Secrets read now; undefined when it names no npm registries. */
  async load(env: EnvironmentResource): Promise<NpmAccessResolver | undefined> {
    const entries = env.spec.npmRegistries ?? [];
    if (entries.length === 0) return undefined;
    const resolved = await Promise.all(entries.map(async (entry, i) => ({
      prefix: withSlash(entry.url),
      token: await this.#token(env.metadata.namespace, entry.secretRef.name, i),
    })));
    resolved.sort((a, b) => b.prefix.length - a.prefix.length);
    return (url) => {
      const token = resolved.find((r) => withSlash(url).startsWith(r.prefix))?.token;
      return token === undefined ? {} : { token };
    };
  }

  async #token(namespace: string, name: string, index: number): Promise<string> {
    const field = `spec.npmRegistries[${index}].secretRef`;
    let secret: k8s.V1Secret;
    try {
      secret = await this.#core.readNamespacedSecret({ namespace, name });
    } catch (err) {
      if (err instanceof k8s.ApiException && err.code === 404) {
        throw waiting('Synthesized', 'NpmCredentialsNotFound', `Secret "${name}" named by ${field} does not exist`, 15_000);
      }
      throw err;
    }
    const token = secret.data?.token === undefined ? '' : Buffer.from(secret.data.token, 'base64').toString('utf8').trim();
    if (!token) throw stalled('Synthesized', 'NpmCredentialsInvalid', `Secret "${name}" named by ${field} needs the key token`);
    this.#redactor.remember(token);
    return token;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
