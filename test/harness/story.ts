// Set-up shared by the operator's end-to-end tests: a namespace for the Keelson resources,
// target namespaces, the Git server with a deploy repository and a pass store, the Secrets,
// GitRepositories and Environments, and helpers to read them.
import * as k8s from '@kubernetes/client-node';
import { GitServer } from './git-server.ts';
import type { GitTestRepo } from './git-test-repo.ts';
import { createTestNamespace, deleteNamespace, eventually, type EventuallyOptions } from './kube.ts';
import { pushExamplePassStore, type ExamplePassStore } from './example-deploy-repo.ts';
import { OperatorProcess } from './operator-process.ts';
import type { EnvironmentResource } from '../../operator/src/adapters/kubernetes/keelson-resources.ts';
import { DEPLOYER_RULES, serviceAccountToken, serviceAccountWithRole } from './service-account.ts';

export interface StoryOptions {
  readonly prefix: string;
  /** Files of the deploy repository. */
  readonly files: Record<string, string>;
  /** Environment name → extra spec (sync policy, ...); targetNamespace is set per environment. */
  readonly environments: Record<string, Record<string, unknown>>;
  readonly passStore?: boolean;
  /** Secrets (name → string data) created in the story's namespace before the Environments. */
  readonly secrets?: Record<string, Record<string, string>>;
}

export class Story {
  readonly kc: k8s.KubeConfig;
  readonly custom: k8s.CustomObjectsApi;
  ns = '';
  /** Environment name → its target namespace. */
  readonly targets: Record<string, string> = {};
  git!: GitServer;
  repo!: GitTestRepo;
  store: ExamplePassStore | undefined;

  constructor(kc: k8s.KubeConfig) {
    this.kc = kc;
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  /** Every namespace the operator must watch (--namespaces). */
  get namespaces(): string[] {
    return [this.ns, ...Object.values(this.targets)];
  }

  async setUp(options: StoryOptions): Promise<void> {
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    this.ns = await createTestNamespace(this.kc, options.prefix);
    for (const env of Object.keys(options.environments))
      this.targets[env] = await createTestNamespace(this.kc, `${options.prefix}-${env}`);
    this.git = await GitServer.start();
    this.repo = await this.git.createRepo('deploy', options.files);
    await core.createNamespacedSecret({
      namespace: this.ns,
      body: { metadata: { name: 'git' }, stringData: { ...this.git.credentials } },
    });
    await this.create('GitRepository', 'deploy', {
      url: this.git.url('deploy'),
      insecure: true,
      secretRef: { name: 'git' },
      interval: '1m',
    });
    let secrets = {};
    if (options.passStore) {
      this.store = await pushExamplePassStore(this.git);
      await core.createNamespacedSecret({
        namespace: this.ns,
        body: { metadata: { name: 'gpg' }, stringData: { 'private.asc': this.store.key.privateKey } },
      });
      await this.create('GitRepository', 'pass-store', {
        url: this.git.url('pass-store'),
        insecure: true,
        secretRef: { name: 'git' },
        interval: '1m',
      });
      secrets = { secrets: { pass: { sourceRef: { name: 'pass-store' }, keySecretRef: { name: 'gpg' } } } };
    }
    for (const [name, stringData] of Object.entries(options.secrets ?? {})) {
      await core.createNamespacedSecret({ namespace: this.ns, body: { metadata: { name }, stringData } });
    }
    for (const [env, spec] of Object.entries(options.environments)) {
      await this.create('Environment', env, {
        sourceRef: { name: 'deploy' },
        environment: env,
        targetNamespace: this.targets[env],
        ...secrets,
        ...spec,
      });
    }
  }

  async tearDown(): Promise<void> {
    await this.git?.stop();
    this.store?.dispose();
    for (const ns of this.namespaces) if (ns) await deleteNamespace(this.kc, ns);
  }

  create(kind: 'GitRepository' | 'Environment', name: string, spec: unknown): Promise<unknown> {
    return this.custom.createNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: this.ns,
      plural: kind === 'Environment' ? 'environments' : 'gitrepositories',
      body: { apiVersion: 'keelson.dev/v1alpha1', kind, metadata: { name }, spec },
    });
  }

  /** Starts the operator as its own process, watching the story's namespaces, and waits until it leads. */
  async startOperator(): Promise<OperatorProcess> {
    const operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${this.namespaces.join(',')}`],
    });
    await operator.start();
    await operator.waitLeading();
    return operator;
  }

  async gitRepository(name: string): Promise<{ status?: { lastHandledRefreshAt?: string } }> {
    return (await this.custom.getNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: this.ns,
      plural: 'gitrepositories',
      name,
    })) as { status?: { lastHandledRefreshAt?: string } };
  }

  async environment(name: string): Promise<EnvironmentResource> {
    return (await this.custom.getNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: this.ns,
      plural: 'environments',
      name,
    })) as EnvironmentResource;
  }

  /** A token of a ServiceAccount that may get (and so diff) Environments in the story's namespace. */
  async viewerToken(): Promise<string> {
    const rules = [{ apiGroups: ['keelson.dev'], resources: ['environments'], verbs: ['get', 'list'] }];
    await serviceAccountWithRole(this.kc, this.ns, 'viewer', rules);
    return serviceAccountToken(this.kc, this.ns, 'viewer');
  }

  /** A token of a ServiceAccount with docs/ui.md's `deployer` role in the story's namespace. */
  async deployerToken(): Promise<string> {
    await serviceAccountWithRole(this.kc, this.ns, 'deployer', DEPLOYER_RULES);
    return serviceAccountToken(this.kc, this.ns, 'deployer');
  }

  /** Asks the GitRepository to fetch now, as `keelson refresh` and the webhook receiver do. */
  async refresh(): Promise<void> {
    await this.custom.patchNamespacedCustomObject(
      {
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: this.ns,
        plural: 'gitrepositories',
        name: 'deploy',
        body: { metadata: { annotations: { 'keelson.dev/refresh-requested-at': new Date().toISOString() } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }

  /** Waits until `check` holds for the Environment; the message says what it last saw. */
  async until(
    name: string,
    what: string,
    check: (env: EnvironmentResource) => boolean,
    options: EventuallyOptions = {},
  ): Promise<EnvironmentResource> {
    let last: EnvironmentResource | undefined;
    try {
      return await eventually(
        async () => {
          last = await this.environment(name);
          return check(last) ? last : undefined;
        },
        { timeoutMs: 90_000, ...options, message: what },
      );
    } catch (err) {
      const s = last?.status;
      const op = s?.operation;
      throw new Error(
        `${(err as Error).message}; last seen: sync ${s?.sync?.status}, health ${s?.health?.status} (${s?.health?.message ?? ''}), operation ${op?.phase} ${op?.id ?? ''} ${op?.revision ?? ''} ${op?.message ?? ''} (self-heal: ${op?.selfHeal ?? false}); newest history entry: ${JSON.stringify(s?.history?.[0] ?? null)}; Ready: ${s?.conditions?.find((c) => c.type === 'Ready')?.message}`,
      );
    }
  }
}

export const commitOf = (revision: string | undefined) => /@sha1:([0-9a-f]{40})$/.exec(revision ?? '')?.[1];
