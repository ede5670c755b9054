// What a sync may delete: only objects the inventory says Keelson applied, that the desired
// state no longer has, that still carry this Environment's owner annotation, and that are
// not marked `keelson.dev/prune: "false"`. An empty desired state never prunes everything
// unless the Environment allows it. The plan reads the objects once; the prune itself asks
// the same of each object again at the moment it deletes it (retentionOf, and the delete's
// preconditions), so an object recreated by someone else meanwhile is left in place.
import type { KubeObject, ObjectIdentity, ObjectKey } from '../manifest.ts';
import { formatKey, groupOf, keyOf } from '../manifest.ts';
import { retentionOf, type OwnerReference, type RetainReason } from './ownership.ts';

/** `group/version/kind/namespace/name`, the form of status.inventory entries. */
export function inventoryEntry(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const slash = obj.apiVersion.indexOf('/');
  const version = slash < 0 ? obj.apiVersion : obj.apiVersion.slice(slash + 1);
  return `${groupOf(obj.apiVersion)}/${version}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

export interface InventoryItem {
  readonly apiVersion: string;
  readonly key: ObjectKey;
}

export function parseInventoryEntry(entry: string): InventoryItem {
  const parts = entry.split('/');
  if (parts.length !== 5 || !parts[1] || !parts[2] || !parts[4])
    throw new Error(`not an inventory entry (group/version/kind/namespace/name): "${entry}"`);
  const [group, version, kind, namespace, name] = parts as [string, string, string, string, string];
  return { apiVersion: group ? `${group}/${version}` : version, key: { group, kind, namespace, name } };
}

/** Pruning would delete every managed object and the Environment does not allow an empty sync. */
export class PruneRefusedError extends Error {
  constructor(count: number) {
    super(
      `refusing to prune all ${count} managed objects: the desired state is empty (set spec.sync.allowEmpty to allow it)`,
    );
    this.name = 'PruneRefusedError';
  }
}

export interface PruneSetOptions {
  /** status.inventory: what Keelson applied before. */
  readonly inventory: readonly string[];
  /** Every desired object, hooks included. */
  readonly desired: readonly KubeObject[];
  /** Live objects by formatKey; an inventory entry without one is already gone. */
  readonly live: ReadonlyMap<string, KubeObject>;
  readonly owner: OwnerReference;
  readonly allowEmpty?: boolean;
}

/** An object the plan leaves in place: its key, the message, the reason, the live object. */
export interface KeptObject {
  readonly key: string;
  readonly reason: string;
  readonly retain: RetainReason;
  readonly object: KubeObject;
}

export interface PruneSet {
  readonly prune: readonly KubeObject[];
  /** Objects left in place, with the reason. */
  readonly kept: readonly KeptObject[];
}

/** The live objects to prune; throws PruneRefusedError for an empty desired state. */
export function planPrune(options: PruneSetOptions): PruneSet {
  const wanted = new Set(options.desired.map((o) => formatKey(keyOf(o))));
  const prune: KubeObject[] = [];
  const kept: KeptObject[] = [];
  for (const entry of options.inventory) {
    const { key } = parseInventoryEntry(entry);
    const id = formatKey(key);
    if (wanted.has(id)) continue;
    const live = options.live.get(id);
    if (!live) continue;
    const retention = retentionOf(live, options.owner);
    if (retention) kept.push({ key: id, reason: retention.message, retain: retention.reason, object: live });
    else prune.push(live);
  }
  if (options.desired.length === 0 && prune.length > 0 && !options.allowEmpty)
    throw new PruneRefusedError(prune.length);
  return { prune, kept };
}

/**
 * The inventory after an operation: every desired non-hook object, plus earlier entries that
 * were not pruned (pruning off, or a prune that failed), so a later sync can still prune them.
 * Entries in `released` (a prune left them in place: not owned, or prune disabled) leave the
 * inventory: Keelson no longer manages them.
 */
export function nextInventory(
  previous: readonly string[],
  applied: readonly ObjectIdentity[],
  pruned: ReadonlySet<string>,
  released: ReadonlySet<string>,
): string[] {
  const entries = new Map<string, string>();
  for (const entry of previous) {
    const id = formatKey(parseInventoryEntry(entry).key);
    if (!pruned.has(id) && !released.has(id)) entries.set(id, entry);
  }
  for (const obj of applied) entries.set(formatKey(keyOf(obj)), inventoryEntry(obj));
  return [...entries.values()].sort();
}
