// `keelson diff` computed on the user's machine with the user's own credentials (as
// `flux diff kustomization` and `argocd app diff --local` do; ADR 16): the Environment read
// with the kubeconfig, its desired state built as the operator builds it (diff-desired.ts),
// compared with the cluster by the operator's own comparison (SyncExecutor.compareWithCluster:
// a server-side dry-run apply, with the Environment as owner and spec.sync.ignoreDifferences),
// the inventory's objects no longer desired added as Extra, and rendered as DiffStore renders
// the operator's comparison, Secret values masked. Nothing is applied, nothing is decrypted:
// PassSecrets are left out of the comparison and listed.
import type { EnvironmentResource } from '../adapters/kubernetes/keelson-resources.ts';
import { NotFoundError } from '../adapters/kubernetes/keelson-resources.ts';
import { ResourceMap } from '../adapters/kubernetes/resource-map.ts';
import { RestTransport } from '../adapters/kubernetes/rest-transport.ts';
import { SyncExecutor } from '../adapters/kubernetes/sync-executor.ts';
import { renderDiff, type ResourceComparison } from '../core/diff/index.ts';
import { describeKey, formatKey, groupOf, keyOf, type KubeObject } from '../core/manifest.ts';
import type { SecretRedactor } from '../core/redact.ts';
import { hasPassRefs } from '../core/secrets/pass-refs.ts';
import { isHook } from '../core/sync/annotations.ts';
import { retentionOf } from '../core/sync/ownership.ts';
import { parseInventoryEntry } from '../core/sync/prune-set.ts';
import type { Cluster } from './cluster.ts';
import type { CommandIO } from './command.ts';
import { DiffError, localDesiredState } from './diff-desired.ts';

export interface LocalDiff {
  /** The diff as DiffStore renders the operator's: a header, one section per object, Secret values masked. */
  readonly text: string;
  /** Objects a sync would create, change or prune. */
  readonly differences: number;
  /** Objects that could not be compared, one line each naming the object, the cause and what to do. */
  readonly problems: readonly string[];
}

export interface LocalDiffOptions {
  readonly redactor: SecretRedactor;
  /** A checkout of the GitRepository to diff instead of its artifact. */
  readonly path?: string | undefined;
}

/** The diff of Environment `name` in the cluster's namespace, computed here with the kubeconfig's credentials. */
export async function localDiff(
  cluster: Cluster,
  name: string,
  options: LocalDiffOptions,
  io: CommandIO,
): Promise<LocalDiff> {
  const env = await readEnvironment(cluster, name);
  const transport = await RestTransport.fromKubeConfig(cluster.kubeConfig, { maxSockets: 8 });
  try {
    const resourceMap = new ResourceMap(transport);
    const desired = await localDesiredState(env, {
      cluster,
      resourceMap,
      redactor: options.redactor,
      io,
      path: options.path,
    });
    return await compare(env, desired.revision, desired.objects, transport, resourceMap, options.redactor);
  } finally {
    transport.close();
    cluster.resources.close();
  }
}

async function readEnvironment(cluster: Cluster, name: string): Promise<EnvironmentResource> {
  try {
    return await cluster.resources.getEnvironment(cluster.namespace, name);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new DiffError(`${err.message} (\`keelson list -n ${cluster.namespace}\` lists the Environments)`);
    throw err;
  }
}

async function compare(
  env: EnvironmentResource,
  revision: string,
  objects: readonly KubeObject[],
  transport: RestTransport,
  resourceMap: ResourceMap,
  redactor: SecretRedactor,
): Promise<LocalDiff> {
  const owner = { namespace: env.metadata.namespace, name: env.metadata.name };
  // As the executor factory builds it, without impersonation: every request is the user's own.
  const executor = new SyncExecutor(transport, resourceMap, {
    owner,
    persist: () => Promise.reject(new Error('keelson diff never starts a sync')),
    concurrency: 8,
  });
  const resources = objects.filter((o) => !isHook(o));
  const passSecrets = resources.filter(hasPassRefs);
  const compared = resources.filter((o) => !hasPassRefs(o));
  const { report } = await executor.compareWithCluster(compared, env.spec.sync?.ignoreDifferences);
  // What the operator's comparison adds (reconcile-run.ts): inventory objects no longer desired, unless a prune would keep them.
  const desiredKeys = new Set(resources.map((o) => formatKey(keyOf(o))));
  const leftovers = (env.status?.inventory ?? []).filter(
    (e) => !desiredKeys.has(formatKey(parseInventoryEntry(e).key)),
  );
  const extra = [...(await executor.readInventory(leftovers)).values()].filter((o) => !retentionOf(o, owner));
  const comparisons: ResourceComparison[] = [
    ...report.resources,
    ...extra.map((o) => ({
      key: formatKey(keyOf(o)),
      status: 'OutOfSync' as const,
      reason: 'Extra' as const,
      changes: [],
    })),
  ].filter((c) => c.status === 'OutOfSync');
  const lines = [`# ${owner.namespace}/${owner.name}: live state against ${revision}`];
  const body = renderDiff(comparisons);
  if (body) lines.push(body.trimEnd());
  else if (report.errors.length === 0) lines.push('# no differences');
  if (report.errors.length > 0)
    lines.push(
      `# ${report.errors.length} object${report.errors.length > 1 ? 's' : ''} could not be compared (see the errors)`,
    );
  for (const s of passSecrets)
    lines.push(`# not compared: ${describeKey(keyOf(s))}: resolved by the operator from the pass store`);
  const byKey = new Map(compared.map((o) => [formatKey(keyOf(o)), o]));
  const problems = await Promise.all(
    report.errors.map((e) => describeProblem(e, byKey.get(e.key), transport, resourceMap, redactor)),
  );
  return { text: redactor.redactText(`${lines.join('\n')}\n`), differences: comparisons.length, problems };
}

/**
 * A dry-run that failed, said so the user can act. Whether the user may not do it is asked
 * of the API server (SelfSubjectAccessReview): a server-side apply needs verb patch, and
 * create for an object that does not exist yet.
 */
async function describeProblem(
  error: { readonly key: string; readonly message: string },
  obj: KubeObject | undefined,
  transport: RestTransport,
  resourceMap: ResourceMap,
  redactor: SecretRedactor,
): Promise<string> {
  const text = redactor.redactText(error.message);
  if (!obj) return text;
  try {
    const info = await resourceMap.lookup(obj.apiVersion, obj.kind);
    const group = groupOf(obj.apiVersion);
    const namespace = obj.metadata.namespace;
    for (const verb of ['patch', 'create']) {
      if (await allowed(transport, { verb, group, resource: info.plural, namespace, name: obj.metadata.name }))
        continue;
      const resource = group ? `${info.plural}.${group}` : info.plural;
      const where = namespace ? ` in namespace ${namespace}` : '';
      return (
        `${describeKey(keyOf(obj))}: cannot be compared: you may not ${verb} ${resource}${where}, and the ` +
        `comparison is a server-side dry-run apply, which needs verb patch (and create for an object that does not exist yet): ` +
        `ask for it (\`kubectl auth can-i ${verb} ${resource}${namespace ? ` -n ${namespace}` : ''}\`)`
      );
    }
  } catch {
    // No answer to the question: the API server's own message says what failed.
  }
  return text;
}

async function allowed(
  transport: RestTransport,
  attributes: { verb: string; group: string; resource: string; namespace: string | undefined; name: string },
): Promise<boolean> {
  const review = await transport.request<{ status?: { allowed?: boolean } }>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: attributes },
    },
  });
  return review.status?.allowed === true;
}
