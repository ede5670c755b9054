// How the operator reaches the chart repositories and registries a deploy repository names:
// the Environment's spec.chartRepositories, the longest matching URL prefix winning, with
// the username and password of the Secret an entry names. The values go to the chart store
// and to the redactor, never to the deploy repository's code, a log or a condition.
import type { KubeConnection } from '../../adapters/kubernetes/kubeconfig.ts';
import { secretsOf, type SecretReader } from '../../adapters/kubernetes/secret-reader.ts';
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { ChartAccess } from '../../adapters/render/chart-store.ts';
import type { SecretRedactor } from '../../core/redact.ts';
import { readSecretKeys } from './secret-keys.ts';
import { Reason } from '../../api/v1alpha1/conditions.ts';

export type ChartAccessResolver = (url: string) => ChartAccess;

export class ChartAccessLoader {
  readonly #secrets: SecretReader;
  readonly #redactor: SecretRedactor;

  constructor(kubeConfig: KubeConnection, redactor: SecretRedactor) {
    this.#secrets = secretsOf(kubeConfig);
    this.#redactor = redactor;
  }

  /** The resolver of one Environment, its Secrets read now; undefined when it names no chart repositories. */
  async load(env: EnvironmentResource): Promise<ChartAccessResolver | undefined> {
    const entries = env.spec.chartRepositories ?? [];
    if (entries.length === 0) return undefined;
    const resolved = await Promise.all(
      entries.map(async (entry, i) => {
        const access: { credentials?: { username: string; password: string }; plainHttp?: boolean } = {};
        if (entry.plainHTTP) access.plainHttp = true;
        if (entry.secretRef)
          access.credentials = await this.#credentials(env.metadata.namespace, entry.secretRef.name, i);
        return { prefix: entry.url.replace(/\/+$/, ''), access };
      }),
    );
    resolved.sort((a, b) => b.prefix.length - a.prefix.length);
    return (url) => resolved.find((r) => url === r.prefix || url.startsWith(`${r.prefix}/`))?.access ?? {};
  }

  async #credentials(namespace: string, name: string, index: number): Promise<{ username: string; password: string }> {
    const { username, password } = await readSecretKeys(this.#secrets, this.#redactor, {
      namespace,
      name,
      field: `spec.chartRepositories[${index}].secretRef`,
      keys: ['username', 'password'],
      secret: ['password'],
      reasons: { notFound: Reason.ChartCredentialsNotFound, invalid: Reason.ChartCredentialsInvalid },
    });
    return { username: username!, password: password! };
  }
}
