// What the Environment's objects own in the cluster: the ReplicaSets of a Deployment, the Pods
// of those and of StatefulSets, DaemonSets and Jobs, the Jobs of a CronJob. Followed through
// each object's controller owner reference (the owner's kind and name, in the owner's namespace),
// each owned object with its health. Pure: the adapter lists the objects and passes them in.
import { groupOf, formatKey, keyOf, type KubeObject } from '../manifest.ts';
import type { HealthAssessment, HealthAssessor } from '../health/index.ts';

/** The kinds whose owned objects are looked for, and the kinds they own (by `group/Kind`). */
export const OWNED_KINDS: Readonly<Record<string, readonly string[]>> = {
  'apps/Deployment': ['apps/ReplicaSet'],
  'apps/ReplicaSet': ['/Pod'],
  'apps/StatefulSet': ['/Pod'],
  'apps/DaemonSet': ['/Pod'],
  'batch/CronJob': ['batch/Job'],
  'batch/Job': ['/Pod'],
};

/** Children shown per object; the rest are counted. */
export const MAX_CHILDREN = 50;

export interface OwnedNode {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly health: HealthAssessment;
  readonly children: readonly OwnedNode[];
  /** Owned objects not shown (past MAX_CHILDREN). */
  readonly more?: number | undefined;
}

export interface OwnedChildren {
  readonly children: readonly OwnedNode[];
  readonly more?: number | undefined;
}

export interface OwnerRoot {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

interface OwnerReference {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly controller?: boolean;
}

/** `group/Kind/namespace/name` of the object's controller, or undefined. */
function controllerOf(obj: KubeObject): string | undefined {
  const refs = (obj.metadata as { ownerReferences?: readonly OwnerReference[] }).ownerReferences ?? [];
  const ref = refs.find((r) => r.controller === true);
  if (!ref?.apiVersion || !ref.kind || !ref.name) return undefined;
  return formatKey({
    group: groupOf(ref.apiVersion),
    kind: ref.kind,
    namespace: obj.metadata.namespace ?? '',
    name: ref.name,
  });
}

/**
 * For each root (a desired object of an owning kind), the tree of what it owns among `objects`,
 * newest first within a level, by the key `group/Kind/namespace/name` of the root.
 */
export function ownedTrees(
  roots: readonly OwnerRoot[],
  objects: readonly KubeObject[],
  assess: HealthAssessor,
): Map<string, OwnedChildren> {
  const byOwner = new Map<string, KubeObject[]>();
  for (const obj of objects) {
    const owner = controllerOf(obj);
    if (owner === undefined) continue;
    const list = byOwner.get(owner) ?? [];
    list.push(obj);
    byOwner.set(owner, list);
  }
  const seen = new Set<string>();
  const childrenOf = (key: string, depth: number): { nodes: OwnedNode[]; more: number } => {
    const owned = (byOwner.get(key) ?? [])
      .filter((o) => !seen.has(formatKey(keyOf(o))))
      .sort((a, b) => created(b).localeCompare(created(a)) || a.metadata.name.localeCompare(b.metadata.name));
    const nodes = owned.slice(0, MAX_CHILDREN).map((o): OwnedNode => {
      const k = formatKey(keyOf(o));
      seen.add(k);
      const below = depth < 3 ? childrenOf(k, depth + 1) : { nodes: [], more: 0 };
      return {
        group: groupOf(o.apiVersion),
        kind: o.kind,
        namespace: o.metadata.namespace ?? '',
        name: o.metadata.name,
        health: assess(o),
        children: below.nodes,
        more: below.more > 0 ? below.more : undefined,
      };
    });
    return { nodes, more: Math.max(0, owned.length - MAX_CHILDREN) };
  };
  const trees = new Map<string, OwnedChildren>();
  for (const root of roots) {
    if (!OWNED_KINDS[`${root.group}/${root.kind}`]) continue;
    const key = formatKey(root);
    const { nodes, more } = childrenOf(key, 1);
    trees.set(key, { children: nodes, more: more > 0 ? more : undefined });
  }
  return trees;
}

function created(obj: KubeObject): string {
  return (obj.metadata as { creationTimestamp?: string }).creationTimestamp ?? '';
}
