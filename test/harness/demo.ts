// Keelson's main job on a local control plane, as a user meets it: the chart installed
// with `helm install` (CRDs, ServiceAccount, RBAC, Service), the operator running from the
// runtime tree with the chart's ServiceAccount credentials, the example deploy repository
// and a pass store served by the local Git server, and the example `dev` (automated) and
// `prod` (manual) Environments. `make up` runs it; the chart tests run it too.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { pushExamplePassStore, pushExampleRepo, type ExamplePassStore } from './example-deploy-repo.ts';
import type { GitServer } from './git-server.ts';
import { REPO_ROOT } from './kube.ts';
import { OperatorProcess } from './operator-process.ts';
import { serviceAccountKubeconfig } from './service-account.ts';
import { DEPLOYER_RULES, serviceAccountWithRole } from './service-account.ts';

const run = promisify(execFile);

export interface DemoNames {
  /** Where the chart is installed. */
  readonly system: string;
  /** Where the GitRepositories and Environments live. */
  readonly team: string;
  readonly dev: string;
  readonly prod: string;
  readonly release: string;
}

export const DEFAULT_NAMES: DemoNames = {
  system: 'keelson-system',
  team: 'shop',
  dev: 'shop-dev',
  prod: 'shop-prod',
  release: 'keelson',
};

export interface DemoOptions {
  readonly kubeconfig: string;
  readonly helm: string;
  readonly git: GitServer;
  /** Where the operator's kubeconfig and cache go. */
  readonly dir: string;
  readonly names?: DemoNames;
  readonly rbacScope?: 'cluster' | 'namespaced';
  /** How often the GitRepositories poll. @default '15s' */
  readonly interval?: string;
  readonly log?: (line: string) => void;
}

export interface Demo {
  readonly names: DemoNames;
  readonly operator: OperatorProcess;
  readonly store: ExamplePassStore;
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const names = options.names ?? DEFAULT_NAMES;
  const log = options.log ?? (() => undefined);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const env = { ...process.env, KUBECONFIG: options.kubeconfig };

  for (const ns of [names.system, names.team, names.dev, names.prod]) {
    await core.createNamespace({ body: { metadata: { name: ns } } }).catch((err: unknown) => {
      if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
    });
  }
  log(`helm install ${names.release} charts/keelson (${options.rbacScope ?? 'cluster'} RBAC)`);
  const scope =
    options.rbacScope === 'namespaced'
      ? ['--set', 'rbac.scope=namespaced', '--set', `rbac.namespaces={${names.team},${names.dev},${names.prod}}`]
      : [];
  await run(
    options.helm,
    [
      'upgrade',
      '--install',
      names.release,
      join(REPO_ROOT, 'charts', 'keelson'),
      '--namespace',
      names.system,
      '--set',
      'replicas=0',
      ...scope,
      '--wait',
      '--timeout',
      '120s',
    ],
    { env },
  );

  log('pushing the example deploy repository and a pass store to the local Git server');
  await pushExampleRepo(options.git, 'deploy');
  const store = await pushExamplePassStore(options.git, 'pass-store');
  const secret = (name: string, stringData: Record<string, string>) =>
    core.createNamespacedSecret({ namespace: names.team, body: { metadata: { name }, stringData } });
  await secret('git-credentials', { ...options.git.credentials });
  await secret('pass-key', { 'private.asc': store.key.privateKey });
  const create = (plural: string, kind: string, name: string, spec: unknown) =>
    custom.createNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: names.team,
      plural,
      body: { apiVersion: 'keelson.dev/v1alpha1', kind, metadata: { name }, spec },
    });
  const interval = options.interval ?? '15s';
  await create('gitrepositories', 'GitRepository', 'deploy', {
    url: options.git.url('deploy'),
    insecure: true,
    secretRef: { name: 'git-credentials' },
    interval,
  });
  await create('gitrepositories', 'GitRepository', 'pass-store', {
    url: options.git.url('pass-store'),
    insecure: true,
    secretRef: { name: 'git-credentials' },
    interval,
  });
  const secrets = { pass: { sourceRef: { name: 'pass-store' }, keySecretRef: { name: 'pass-key' } } };
  await create('environments', 'Environment', 'dev', {
    sourceRef: { name: 'deploy' },
    environment: 'dev',
    targetNamespace: names.dev,
    secrets,
    sync: { automated: { prune: true, selfHeal: true } },
  });
  await create('environments', 'Environment', 'prod', {
    sourceRef: { name: 'deploy' },
    environment: 'prod',
    targetNamespace: names.prod,
    secrets,
  });

  log("starting the operator from the runtime tree with the chart's ServiceAccount credentials");
  const kubeconfig = await serviceAccountKubeconfig(kc, {
    namespace: names.system,
    name: names.release,
    path: join(options.dir, 'operator.kubeconfig'),
  });
  const operator = new OperatorProcess({
    kubeconfig,
    cacheDir: join(options.dir, 'operator-cache'),
    identity: 'keelson-local',
    args: [
      `--lease-namespace=${names.system}`,
      ...(options.rbacScope === 'namespaced'
        ? [`--namespaces=${names.system},${names.team},${names.dev},${names.prod}`]
        : []),
    ],
  });
  await operator.start();
  // The web UI's login under `make up`: kubectl create token deployer -n <team>.
  await serviceAccountWithRole(kc, names.team, 'deployer', DEPLOYER_RULES);
  return {
    names,
    operator,
    store,
    stop: async () => {
      await operator.stop();
      store.dispose();
    },
  };
}
