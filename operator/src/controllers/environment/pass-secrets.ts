// PassSecret placeholders of an Environment filled from its pass store: the store is the
// artifact of the GitRepository in spec.secrets.pass.sourceRef, the key comes from the
// Secret in keySecretRef. Values go to the Secret objects and to the redactor, nowhere else.
import type { KubeConnection } from '../../adapters/kubernetes/kubeconfig.ts';
import { secretsOf, type SecretReader } from '../../adapters/kubernetes/secret-reader.ts';
import type { EnvironmentResource, KeelsonResources } from '../../adapters/kubernetes/keelson-resources.ts';
import { NotFoundError } from '../../adapters/kubernetes/keelson-resources.ts';
import type { DecryptionKey } from '../../adapters/pass/decryption-key.ts';
import { loadKeyFromSecret } from '../../adapters/pass/key-secret.ts';
import type { EntryCache } from '../../adapters/pass/entry-cache.ts';
import { PassStore } from '../../adapters/pass/pass-store.ts';
import type { KubeObject } from '../../core/manifest.ts';
import { hasPassRefs } from '../../core/secrets/pass-refs.ts';
import { resolvePassSecrets, type ValueSink } from '../../core/secrets/resolve.ts';
import type { ArtifactSource } from './ports.ts';
import { StalledError, WaitingError } from '../reconcile-errors.ts';
import { SECRETS_RESOLVED } from './environment-conditions.ts';
import { Reason } from '../../api/v1alpha1/conditions.ts';

export interface PassSecretsOptions {
  readonly kubeConfig: KubeConnection;
  readonly resources: KeelsonResources;
  readonly artifacts: ArtifactSource;
  readonly cache: EntryCache;
  readonly redactor: ValueSink;
}

export class PassSecrets {
  readonly #secrets: SecretReader;
  readonly #options: PassSecretsOptions;
  /** The loaded key per key Secret, with the Secret version it came from. */
  readonly #keys = new Map<string, { version: string; loading: Promise<DecryptionKey> }>();

  constructor(options: PassSecretsOptions) {
    this.#secrets = secretsOf(options.kubeConfig);
    this.#options = options;
  }

  async resolve(
    env: EnvironmentResource,
    objects: readonly KubeObject[],
  ): Promise<{ objects: KubeObject[]; references: number }> {
    const withRefs = objects.filter(hasPassRefs);
    if (withRefs.length === 0) return { objects: [...objects], references: 0 };
    const pass = env.spec.secrets?.pass;
    if (!pass) {
      throw new StalledError(
        Reason.NoPassStore,
        `${withRefs.length} PassSecret(s) need a pass store, and spec.secrets.pass is not set`,
        { condition: SECRETS_RESOLVED },
      );
    }
    const ns = env.metadata.namespace;
    let repo;
    try {
      repo = await this.#options.resources.getGitRepository(ns, pass.sourceRef.name);
    } catch (err) {
      if (err instanceof NotFoundError)
        throw new WaitingError(
          Reason.StoreNotFound,
          `the pass store's GitRepository ${pass.sourceRef.name} does not exist`,
          30_000,
          { condition: SECRETS_RESOLVED },
        );
      throw err;
    }
    const commit = repo.status?.artifact?.commit;
    if (!commit)
      throw new WaitingError(
        Reason.StoreNotReady,
        `the pass store's GitRepository ${pass.sourceRef.name} has no artifact yet`,
        5000,
        { condition: SECRETS_RESOLVED },
      );
    const key = await this.#key(ns, pass.keySecretRef);
    const store = new PassStore({
      tree: await this.#options.artifacts.tree(repo, commit),
      root: pass.path || undefined,
      key,
      cache: this.#options.cache,
    });
    const resolved = await resolvePassSecrets(objects, store, {
      hashKey: key.hashKey,
      redactor: this.#options.redactor,
    });
    return { objects: resolved, references: withRefs.length };
  }

  async #key(namespace: string, ref: { name: string; key?: string; passphraseKey?: string }): Promise<DecryptionKey> {
    const secret = await this.#secrets.read(namespace, ref.name);
    if (!secret)
      throw new StalledError(Reason.KeyNotFound, `the key Secret ${ref.name} does not exist`, {
        condition: SECRETS_RESOLVED,
      });
    // A rotated key Secret (new resourceVersion) is loaded again; only the newest is kept.
    const id = `${namespace}/${ref.name}`;
    const version = `${secret.metadata?.resourceVersion}:${ref.key ?? ''}:${ref.passphraseKey ?? ''}`;
    let entry = this.#keys.get(id);
    if (!entry || entry.version !== version) {
      const loading = loadKeyFromSecret(
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: ref.name, namespace }, data: secret.data ?? {} },
        ref,
      );
      entry = { version, loading };
      this.#keys.set(id, entry);
      loading.catch(() => this.#keys.delete(id));
    }
    try {
      return await entry.loading;
    } catch (err) {
      throw new StalledError((err as { reason?: string }).reason ?? Reason.KeyUnusable, (err as Error).message, {
        condition: SECRETS_RESOLVED,
      });
    }
  }
}
