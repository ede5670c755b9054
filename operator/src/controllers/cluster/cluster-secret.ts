// The cluster an Environment's spec.destination names, read from its Secret now: looked for in
// the Environment's namespace, then in the registration namespace; only Secrets labelled
// keelson.dev/cluster=true count. The token and key go to the redactor. A missing Secret is
// waited for; an unusable one, or one the Environment's namespace may not use, stalls it.
import type { KubeConnection } from '../../adapters/kubernetes/kubeconfig.ts';
import type { V1Secret } from '@kubernetes/client-node';
import { secretsOf, type SecretReader } from '../../adapters/kubernetes/secret-reader.ts';
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.ts';
import {
  ClusterSecretError,
  clusterIdentity,
  clusterLabel,
  parseClusterSecret,
  type ClusterCredentials,
} from '../../core/cluster/cluster-credentials.ts';
import { allowsNamespace, secretLocations } from '../../core/cluster/destination.ts';
import { ANNOTATION_CLUSTER_NAMESPACES, LABEL_CLUSTER } from '../../core/keys.ts';
import type { SecretRedactor } from '../../core/redact.ts';
import { StalledError, WaitingError } from '../reconcile-errors.ts';

/** A cluster Secret, read and checked. */
export interface ResolvedCluster {
  readonly credentials: ClusterCredentials;
  /** The connection's identity (a hash of the credentials): clusterIdentity. */
  readonly identity: string;
  /** The server, for metrics and messages. */
  readonly label: string;
  /** `namespace/name` of the Secret. */
  readonly secret: string;
}

const condition = { condition: ConditionType.ClusterReachable };

export class ClusterSecrets {
  readonly #secrets: SecretReader;
  readonly #redactor: SecretRedactor;
  readonly #clusterNamespace: string | undefined;

  constructor(kubeConfig: KubeConnection, redactor: SecretRedactor, clusterNamespace?: string) {
    this.#secrets = secretsOf(kubeConfig);
    this.#redactor = redactor;
    this.#clusterNamespace = clusterNamespace || undefined;
  }

  /** The cluster of an Environment with spec.destination. */
  async resolve(env: EnvironmentResource): Promise<ResolvedCluster> {
    const name = env.spec.destination!.secretRef.name;
    const envNamespace = env.metadata.namespace;
    for (const where of secretLocations(envNamespace, name, this.#clusterNamespace)) {
      const secret = await this.#read(where.namespace, name);
      if (!secret || secret.metadata?.labels?.[LABEL_CLUSTER] !== 'true') continue;
      const at = `${where.namespace}/${name}`;
      if (
        where.registered &&
        !allowsNamespace(secret.metadata?.annotations?.[ANNOTATION_CLUSTER_NAMESPACES], envNamespace)
      )
        throw new StalledError(
          Reason.ClusterNotAllowed,
          `cluster Secret ${at} does not list namespace ${envNamespace} in ${ANNOTATION_CLUSTER_NAMESPACES}`,
          condition,
        );
      const data = Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
      );
      let credentials: ClusterCredentials;
      try {
        credentials = parseClusterSecret(at, data);
      } catch (err) {
        if (err instanceof ClusterSecretError)
          throw new StalledError(Reason.ClusterSecretInvalid, err.message, condition);
        throw err;
      }
      for (const value of [credentials.token, credentials.clientKeyData]) if (value) this.#redactor.remember(value);
      return { credentials, identity: clusterIdentity(credentials), label: clusterLabel(credentials), secret: at };
    }
    const places = secretLocations(envNamespace, name, this.#clusterNamespace).map((l) => l.namespace);
    throw new WaitingError(
      Reason.ClusterSecretNotFound,
      `spec.destination: no Secret "${name}" labelled ${LABEL_CLUSTER}=true in namespace ${places.join(' or ')}`,
      15_000,
      condition,
    );
  }

  #read(namespace: string, name: string): Promise<V1Secret | undefined> {
    return this.#secrets.read(namespace, name);
  }
}
