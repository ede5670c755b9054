// GET …/environments/<name>/tree: what the Environment's objects own in the cluster (the
// ReplicaSets and Pods of a Deployment, the Jobs of a CronJob…), each with its health, for the
// resource tree of the web UI's Environment page. Read with the operator's credentials on the
// Environment's cluster (its spec.destination's, or the operator's own) once the caller may get
// the Environment, as its events are; only objects its own objects control are answered.
import type { SubResource } from '../http/api-routes.ts';
import { sendJson } from '../http/http-server.ts';
import type { KubernetesAuth } from '../http/kubernetes-auth.ts';
import type { EnvironmentResource, KeelsonResources } from '../kubernetes/keelson-resources.ts';
import { assessHealth, type HealthAssessor } from '../../core/health/index.ts';
import { OWNED_KINDS, ownedTrees, type OwnerRoot } from '../../core/environment/owned-tree.ts';
import type { KubeObject } from '../../core/manifest.ts';
import type { OverviewIndex } from './overview.ts';

/** Lists objects on one API server (RestTransport.list). */
export interface ObjectLister {
  list<T>(path: string, query?: Readonly<Record<string, string | undefined>>): Promise<T[]>;
}

export interface OwnedObjectsOptions {
  readonly auth: Pick<KubernetesAuth, 'authorize'>;
  readonly resources: KeelsonResources;
  readonly index: OverviewIndex;
  /** The API server the Environment's objects are on. */
  readonly listerFor: (env: EnvironmentResource) => Promise<ObjectLister>;
  /** @default the built-in health rules */
  readonly assess?: HealthAssessor;
}

/** Namespaces looked in per request: an Environment spreads over a few. */
const MAX_NAMESPACES = 20;

/** Where each owned kind is listed, by `group/Kind`. */
const LIST_PATHS: Readonly<Record<string, (ns: string) => string>> = {
  'apps/ReplicaSet': (ns) => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/replicasets`,
  '/Pod': (ns) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`,
  'batch/Job': (ns) => `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/jobs`,
};

export function ownedObjectsSubResource(options: OwnedObjectsOptions): SubResource {
  return {
    method: 'GET',
    plural: 'environments',
    sub: 'tree',
    handle: async (_req, res, { namespace, name }, caller) => {
      await options.auth.authorize(caller, { verb: 'get', namespace, name });
      const env =
        options.index.environment(namespace, name) ?? (await options.resources.getEnvironment(namespace, name));
      const roots: OwnerRoot[] = (env.status?.resources ?? [])
        .filter((r) => !r.hook && OWNED_KINDS[`${r.group}/${r.kind}`] !== undefined)
        .map((r) => ({ group: r.group, kind: r.kind, namespace: r.namespace ?? '', name: r.name }));
      const { objects, unread } =
        roots.length > 0 ? await listOwned(await options.listerFor(env), roots) : { objects: [], unread: [] };
      const trees = ownedTrees(roots, objects, options.assess ?? assessHealth);
      sendJson(res, 200, { items: [...trees].map(([key, tree]) => ({ key, ...tree })), unread });
    },
  };
}

/** The objects of the kinds the roots may own (a Deployment's ReplicaSets' Pods too), in the roots' namespaces. */
async function listOwned(
  lister: ObjectLister,
  roots: readonly OwnerRoot[],
): Promise<{ objects: KubeObject[]; unread: string[] }> {
  const kinds = new Set<string>();
  const add = (kind: string): void => {
    if (kinds.has(kind)) return;
    kinds.add(kind);
    for (const owned of OWNED_KINDS[kind] ?? []) add(owned);
  };
  for (const root of roots) for (const owned of OWNED_KINDS[`${root.group}/${root.kind}`] ?? []) add(owned);
  const namespaces = [...new Set(roots.map((r) => r.namespace).filter(Boolean))].slice(0, MAX_NAMESPACES);
  // A list the operator may not read (a namespaced install) leaves its part of the tree out, and says so.
  const unread: string[] = [];
  const lists = await Promise.all(
    namespaces.flatMap((ns) =>
      [...kinds].map((kind) =>
        lister.list<KubeObject>(LIST_PATHS[kind]!(ns)).then(
          (items) => items.map((o) => withKind(o, kind)),
          (err: unknown) => {
            unread.push(`${kind.split('/')[1]}s in ${ns}: ${err instanceof Error ? err.message : String(err)}`);
            return [];
          },
        ),
      ),
    ),
  );
  return { objects: lists.flat(), unread };
}

/** A list's items carry no apiVersion and kind: the list's own. */
function withKind(obj: KubeObject, kind: string): KubeObject {
  const [group, name] = kind.split('/') as [string, string];
  return { ...obj, apiVersion: group ? `${group}/v1` : 'v1', kind: name };
}
