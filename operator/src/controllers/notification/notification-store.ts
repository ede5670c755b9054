// What the notification controller reads and writes in the cluster: the provider's Secret and
// the Notification's status (a merge patch of the status subresource). The Secret's values go
// to the redactor before anything else sees them.
import type { KubeConnection } from '../../adapters/kubernetes/kubeconfig.ts';
import type { NotificationStatus } from '../../api/v1alpha1/notification.ts';
import { GROUP, notificationDefinition, VERSION } from '../../api/v1alpha1/index.ts';
import { KubeApiError } from '../../adapters/kubernetes/api-error.ts';
import { LazyRestTransport } from '../../adapters/kubernetes/rest-transport.ts';
import { secretReader, type SecretReader } from '../../adapters/kubernetes/secret-reader.ts';
import type { SecretRedactor } from '../../core/redact.ts';

export interface NotificationStore {
  /** The Secret's data, decoded; undefined when it does not exist. */
  readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** Writes the status; false when the Notification no longer exists. */
  writeStatus(namespace: string, name: string, status: NotificationStatus): Promise<boolean>;
  close(): void;
}

export class KubernetesNotificationStore implements NotificationStore {
  readonly #secrets: SecretReader;
  readonly #rest: LazyRestTransport;
  readonly #redactor: SecretRedactor;

  constructor(kubeConfig: KubeConnection, redactor: SecretRedactor) {
    this.#rest = new LazyRestTransport(kubeConfig, { maxSockets: 2 });
    this.#secrets = secretReader(this.#rest);
    this.#redactor = redactor;
  }

  async readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const secret = await this.#secrets.read(namespace, name);
    if (!secret) return undefined;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
    for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] = v;
    // Every value: a token, a webhook URL with its key in the path, an HMAC key.
    for (const value of Object.values(data)) this.#redactor.remember(value);
    return data;
  }

  async writeStatus(namespace: string, name: string, status: NotificationStatus): Promise<boolean> {
    const collection = `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}`;
    const path = `${collection}/${notificationDefinition.plural}/${encodeURIComponent(name)}/status`;
    try {
      await this.#rest.request({
        method: 'PATCH',
        path,
        contentType: 'application/merge-patch+json',
        body: { status: this.#redactor.redact(status) },
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }

  close(): void {
    this.#rest.close();
  }
}
