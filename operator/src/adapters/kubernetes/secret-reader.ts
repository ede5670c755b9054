// Reading one Secret by name, for the controllers that take credentials from Secrets (Git, chart
// and npm access, pass keys, cluster connections, notification providers, webhook secrets). It
// goes through the REST transport, so a read the API server turns away with 429 is sent again
// after its Retry-After, as every other request of the operator is (client-node's generated
// clients do not retry). One keep-alive pool per kubeconfig, shared by all the readers of it.
import type { KubeConnection } from './kubeconfig.ts';
import type { V1Secret } from '@kubernetes/client-node';
import { KubeApiError } from './api-error.ts';
import { LazyRestTransport, type RestRequest } from './rest-transport.ts';

export interface SecretReader {
  /** The Secret, or undefined when it does not exist; any other failure throws. */
  read(namespace: string, name: string): Promise<V1Secret | undefined>;
}

/** What a reader needs of a transport. */
export interface SecretTransport {
  request<T>(req: RestRequest): Promise<T>;
}

export function secretReader(transport: SecretTransport): SecretReader {
  return {
    async read(namespace, name) {
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`;
      try {
        return await transport.request<V1Secret>({ method: 'GET', path });
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404 && err.fromStatus) return undefined;
        throw err;
      }
    },
  };
}

const readers = new WeakMap<KubeConnection, SecretReader>();

/** The reader of the cluster `kubeConfig` connects to, made on first use and kept while the kubeconfig is. */
export function secretsOf(kubeConfig: KubeConnection): SecretReader {
  let reader = readers.get(kubeConfig);
  if (!reader) {
    reader = secretReader(new LazyRestTransport(kubeConfig, { maxSockets: 2 }));
    readers.set(kubeConfig, reader);
  }
  return reader;
}

/** A Secret's value under `key`, decoded; '' when absent. */
export function secretValue(secret: V1Secret, key: string): string {
  const data = secret.data?.[key];
  return data === undefined ? '' : Buffer.from(data, 'base64').toString('utf8');
}
