// `keelson cluster add|list|remove`: the Secrets that register a destination cluster
// (docs/clusters.md). `add` takes one context of a kubeconfig, inlines its files, refuses what
// the operator cannot use (an exec plugin, an auth provider), and writes the Secret labelled
// keelson.dev/cluster=true; `list` shows each Secret's server, the Environments using it and
// their ClusterReachable condition; `remove` deletes it, refusing while Environments use it.
import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { EnvironmentResource } from '../adapters/kubernetes/keelson-resources.ts';
import { ConditionType } from '../api/v1alpha1/conditions.ts';
import { KUBECONFIG_KEY, parseClusterSecret } from '../core/cluster/cluster-credentials.ts';
import { ANNOTATION_CLUSTER_NAMESPACES, LABEL_CLUSTER } from '../core/keys.ts';
import { CLUSTER_OPTIONS, parseCommandArgs, UsageError, type Command, type CommandIO } from './command.ts';
import { connect, type Cluster } from './cluster.ts';
import { table } from './format.ts';

const USAGE = [
  'keelson cluster add <name> [--from-kubeconfig <file>] [--from-context <context>] [--allow-namespaces <a,b|*>]',
  '       keelson cluster list [-n <namespace>]',
  '       keelson cluster remove <name> [--force]',
  '       (each with -n <namespace>, --kubeconfig, --context for the cluster the operator runs in)',
].join('\n');

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'Register, list and remove the clusters Environments deploy to (spec.destination)',
  usage: USAGE,
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb === 'add') return add(rest, io);
    if (verb === 'list') return list(rest, io);
    if (verb === 'remove') return remove(rest, io);
    throw new UsageError(verb ? `unknown subcommand "${verb}"` : 'missing subcommand: add, list or remove');
  },
};

async function add(args: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      ...CLUSTER_OPTIONS,
      'from-kubeconfig': { type: 'string' },
      'from-context': { type: 'string' },
      'allow-namespaces': { type: 'string' },
    },
    { min: 1, max: 1 },
  );
  const source = new k8s.KubeConfig();
  const file = values['from-kubeconfig'] ?? io.env.KUBECONFIG?.split(':')[0];
  if (file) source.loadFromFile(file);
  else source.loadFromDefault();
  if (values['from-context']) source.setCurrentContext(values['from-context']);
  const kubeconfig = stringify(inlined(source));
  const name = positionals[0]!;
  const cluster = connect(values, io);
  // What the operator would refuse is refused here, before anything is written.
  const server = parseClusterSecret(`${cluster.namespace}/${name}`, { [KUBECONFIG_KEY]: kubeconfig }).server;
  const annotations = values['allow-namespaces']
    ? { [ANNOTATION_CLUSTER_NAMESPACES]: values['allow-namespaces'] }
    : undefined;
  const body: k8s.V1Secret = {
    metadata: { name, namespace: cluster.namespace, labels: { [LABEL_CLUSTER]: 'true' }, annotations },
    type: 'Opaque',
    stringData: { [KUBECONFIG_KEY]: kubeconfig },
  };
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  try {
    await core.createNamespacedSecret({ namespace: cluster.namespace, body });
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
    await core.replaceNamespacedSecret({ namespace: cluster.namespace, name, body });
  }
  io.stdout(`cluster ${cluster.namespace}/${name} (${server}) registered from context ${source.getCurrentContext()}\n`);
  return 0;
}

/** The current context of a kubeconfig alone, its files read into data fields. */
function inlined(kc: k8s.KubeConfig): Record<string, unknown> {
  const context = kc.getContextObject(kc.getCurrentContext());
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!context || !cluster) throw new UsageError(`the kubeconfig has no context "${kc.getCurrentContext()}"`);
  const data = (inline: string | undefined, path: string | undefined) =>
    inline ?? (path ? readFileSync(path).toString('base64') : undefined);
  const tokenFile = user?.authProvider?.config?.tokenFile as string | undefined;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster.name,
        cluster: {
          server: cluster.server,
          'certificate-authority-data': data(cluster.caData, cluster.caFile),
          'tls-server-name': cluster.tlsServerName,
          'insecure-skip-tls-verify': cluster.skipTLSVerify || undefined,
        },
      },
    ],
    users: [
      {
        name: user?.name ?? 'user',
        user: {
          token: user?.token,
          'client-certificate-data': data(user?.certData, user?.certFile),
          'client-key-data': data(user?.keyData, user?.keyFile),
          exec: user?.exec,
          'auth-provider': user?.authProvider,
          tokenFile,
          username: user?.username,
          password: user?.password,
        },
      },
    ],
    contexts: [{ name: context.name, context: { cluster: cluster.name, user: user?.name ?? 'user' } }],
    'current-context': context.name,
  };
}

interface Registered {
  readonly secret: k8s.V1Secret;
  readonly server: string;
  readonly users: EnvironmentResource[];
}

/** The cluster Secrets of the namespace and the Environments (of any namespace the user may list) using each. */
async function registered(cluster: Cluster): Promise<Registered[]> {
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const secrets = await core.listNamespacedSecret({
    namespace: cluster.namespace,
    labelSelector: `${LABEL_CLUSTER}=true`,
  });
  const envs = await cluster.resources.listEnvironments().catch((err: unknown) => {
    if (err instanceof k8s.ApiException && err.code === 403)
      return cluster.resources.listEnvironments(cluster.namespace);
    throw err;
  });
  const own = new Map<string, boolean>();
  const usesOwn = async (ns: string, name: string) => {
    const key = `${ns}/${name}`;
    if (!own.has(key)) {
      const s = await core.readNamespacedSecret({ namespace: ns, name }).catch(() => undefined);
      own.set(key, s?.metadata?.labels?.[LABEL_CLUSTER] === 'true');
    }
    return own.get(key)!;
  };
  const out: Registered[] = [];
  for (const secret of secrets.items) {
    const name = secret.metadata!.name!;
    const users: EnvironmentResource[] = [];
    for (const env of envs) {
      if (env.spec.destination?.secretRef.name !== name) continue;
      const ns = env.metadata.namespace;
      if (ns === cluster.namespace || !(await usesOwn(ns, name))) users.push(env);
    }
    out.push({ secret, server: serverOf(secret), users });
  }
  return out;
}

function serverOf(secret: k8s.V1Secret): string {
  const data = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  try {
    return parseClusterSecret(secret.metadata?.name ?? '', data).server;
  } catch {
    return '(unusable)';
  }
}

/** Reachable when every Environment's ClusterReachable is True, Unreachable when one's is False. */
function stateOf(users: readonly EnvironmentResource[]): string {
  const conditions = users.map((e) => e.status?.conditions?.find((c) => c.type === ConditionType.ClusterReachable));
  const down = conditions.find((c) => c?.status === 'False');
  if (down) return down.reason;
  if (conditions.length > 0 && conditions.every((c) => c?.status === 'True')) return 'Reachable';
  return '-';
}

async function list(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs(args, CLUSTER_OPTIONS, { min: 0, max: 0 });
  const cluster = connect(values, io);
  const clusters = await registered(cluster);
  if (clusters.length === 0) {
    io.stderr(`No clusters registered in namespace ${cluster.namespace}.\n`);
    return 0;
  }
  const rows = clusters.map((c) => [
    c.secret.metadata!.name!,
    c.server,
    c.users.map((e) => `${e.metadata.namespace}/${e.metadata.name}`).join(',') || '-',
    stateOf(c.users),
  ]);
  io.stdout(table(['NAME', 'SERVER', 'ENVIRONMENTS', 'STATE'], rows));
  return 0;
}

async function remove(args: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { ...CLUSTER_OPTIONS, force: { type: 'boolean' } },
    { min: 1, max: 1 },
  );
  const cluster = connect(values, io);
  const name = positionals[0]!;
  const entry = (await registered(cluster)).find((c) => c.secret.metadata?.name === name);
  if (!entry) {
    io.stderr(`keelson cluster remove: no cluster ${name} in namespace ${cluster.namespace}\n`);
    return 1;
  }
  const users = entry.users.map((e) => `${e.metadata.namespace}/${e.metadata.name}`);
  if (users.length > 0 && !values.force) {
    io.stderr(`keelson cluster remove: ${name} is used by ${users.join(', ')}; change them first, or --force\n`);
    return 1;
  }
  await cluster.kubeConfig.makeApiClient(k8s.CoreV1Api).deleteNamespacedSecret({ namespace: cluster.namespace, name });
  io.stdout(
    `cluster ${cluster.namespace}/${name} removed${users.length ? ` (still named by ${users.join(', ')})` : ''}\n`,
  );
  return 0;
}
