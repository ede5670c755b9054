// The label and annotation that name the Environment owning every object Keelson applies,
// and the per-operation identity of hook objects: a restarted operator computes the same
// hook name for the same operation, finds the hook it created and does not run it twice.
import { createHash } from 'node:crypto';
import type { RETAIN_REASONS } from '../../api/v1alpha1/environment.ts';
import type { KubeObject } from '../manifest.ts';
import { describeKey, keyOf } from '../manifest.ts';
import { isHook } from './annotations.ts';
import { liveSyncOptions } from './sync-options.ts';
import {
  ANNOTATION_OPERATION,
  ANNOTATION_OWNER,
  ANNOTATION_PRUNE,
  LABEL_ENVIRONMENT,
  LABEL_ENVIRONMENT_NAMESPACE,
  LABEL_HOOK_OF,
  LABEL_SHARD,
} from '../keys.ts';

/** The Environment that owns what a sync applies. */
export interface OwnerReference {
  readonly name: string;
  readonly namespace: string;
  /** Its shard when the operator runs sharded (ADR 0026): the objects carry it as a label. */
  readonly shard?: number;
}

export function ownerAnnotation(owner: OwnerReference): string {
  return `${owner.namespace}/${owner.name}`;
}

/** A copy of the object carrying the owner's labels and annotation. */
export function withOwnership(obj: KubeObject, owner: OwnerReference): KubeObject {
  const labels: Record<string, string> = {
    ...obj.metadata.labels,
    [LABEL_ENVIRONMENT]: owner.name,
    [LABEL_ENVIRONMENT_NAMESPACE]: owner.namespace,
  };
  if (owner.shard !== undefined) labels[LABEL_SHARD] = String(owner.shard);
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels,
      annotations: { ...obj.metadata.annotations, [ANNOTATION_OWNER]: ownerAnnotation(owner) },
    },
  };
}

export function isOwnedBy(obj: KubeObject, owner: OwnerReference): boolean {
  return obj.metadata.annotations?.[ANNOTATION_OWNER] === ownerAnnotation(owner);
}

/** Why a deletion left an object in place: not this Environment's at that moment, or marked not to be pruned. */
export type RetainReason = (typeof RETAIN_REASONS)[number];

export interface Retention {
  readonly reason: RetainReason;
  /** Names the object and says why, for the task, the event and status. */
  readonly message: string;
}

/**
 * Why `owner` must not delete the live object now, or undefined when it may: the object
 * must carry the owner's annotation (someone may have recreated it, or another Environment
 * taken it over) and, unless it is a hook object, must not be marked
 * `keelson.dev/prune: "false"`. Prune, the finalizer and hook clean-up all ask this of the
 * object as it is at the moment they delete it.
 */
export function retentionOf(
  live: KubeObject,
  owner: OwnerReference,
  options: { readonly hook?: boolean } = {},
): Retention | undefined {
  const what = describeKey(keyOf(live));
  const annotations = live.metadata.annotations ?? {};
  const holder = annotations[ANNOTATION_OWNER];
  if (holder !== ownerAnnotation(owner)) {
    const why =
      holder === undefined ? `it has no ${ANNOTATION_OWNER} annotation` : `its ${ANNOTATION_OWNER} is "${holder}"`;
    return { reason: 'NotOwned', message: `${what} is not owned by this Environment (${why})` };
  }
  if (!options.hook && annotations[ANNOTATION_PRUNE] === 'false') {
    return { reason: 'PruneDisabled', message: `${what} is marked ${ANNOTATION_PRUNE}: "false"` };
  }
  if (!options.hook && !liveSyncOptions(live).prune) {
    return { reason: 'PruneDisabled', message: `${what} has the sync option Prune=false` };
  }
  return undefined;
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The name of a hook object for one operation and phase: `<name>-<8 hex>`, at most 63 characters. */
export function hookObjectName(name: string, operationId: string, phase: string): string {
  const suffix = shortHash(`${operationId}/${phase}/${name}`, 8);
  const stem = name.slice(0, 63 - 9).replace(/[-.]+$/, '');
  return `${stem}-${suffix}`;
}

/** The value of the hook-of label: the hook's own name, or a hash of it when it is too long. */
export function hookOfLabel(name: string): string {
  return name.length <= 63 ? name : `h-${shortHash(name, 40)}`;
}

/** The object a hook task creates: renamed for the operation, owned, and labelled with its origin. */
export function hookObject(
  obj: KubeObject,
  options: { readonly hookName: string; readonly operationId: string; readonly owner: OwnerReference },
): KubeObject {
  const owned = withOwnership(obj, options.owner);
  return {
    ...owned,
    metadata: {
      ...owned.metadata,
      name: options.hookName,
      labels: { ...owned.metadata.labels, [LABEL_HOOK_OF]: hookOfLabel(obj.metadata.name) },
      annotations: { ...owned.metadata.annotations, [ANNOTATION_OPERATION]: options.operationId },
    },
  };
}

/**
 * Hooks written for Argo CD often have only `metadata.generateName`; they get that as
 * their name (without the trailing dash), which the per-operation hook name then extends.
 * Other objects are returned unchanged.
 */
export function nameGeneratedHooks(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((obj) => {
    const generateName = obj.metadata.generateName;
    if (obj.metadata.name || typeof generateName !== 'string' || !isHook(obj)) return obj;
    const { generateName: _dropped, ...metadata } = obj.metadata;
    return { ...obj, metadata: { ...metadata, name: generateName.replace(/[-.]+$/, '') } };
  });
}
