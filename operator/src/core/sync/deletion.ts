// What deleting an Environment (deletionPolicy Delete) runs, as one operation of the sync
// engine: its PreDelete hooks (as the operation's PreSync phase), the prune of everything its
// inventory holds (in reverse wave order, each object only if still its own), then its
// PostDelete hooks (as PostSync). Hooks are Argo CD's or Keelson's annotations; a delete hook
// without a delete policy is deleted once it succeeds, so nothing of the Environment is left.
import type { KubeObject } from '../manifest.ts';
import {
  ANNOTATION_HOOK,
  ANNOTATION_HOOK_DELETE_POLICY,
  ARGO_ANNOTATION_HOOK,
  ARGO_ANNOTATION_HOOK_DELETE_POLICY,
} from '../keys.ts';
import { parseSyncAnnotations } from './annotations.ts';

const AS_SYNC_PHASE = { PreDelete: 'PreSync', PostDelete: 'PostSync' } as const;

/**
 * The desired state's PreDelete and PostDelete hooks, each rewritten to the phase it runs in
 * during the deletion operation; other objects are left out. Throws InvalidAnnotationError
 * for an invalid hook annotation, naming the object.
 */
export function deletionHooks(objects: readonly KubeObject[]): KubeObject[] {
  const hooks: KubeObject[] = [];
  for (const obj of objects) {
    const parsed = parseSyncAnnotations(obj);
    const phases = parsed.hooks.flatMap((p) => (p === 'PreDelete' || p === 'PostDelete' ? [AS_SYNC_PHASE[p]] : []));
    if (phases.length === 0) continue;
    const annotations = { ...obj.metadata.annotations };
    const policy = annotations[ANNOTATION_HOOK_DELETE_POLICY] ?? annotations[ARGO_ANNOTATION_HOOK_DELETE_POLICY];
    delete annotations[ARGO_ANNOTATION_HOOK];
    delete annotations[ARGO_ANNOTATION_HOOK_DELETE_POLICY];
    annotations[ANNOTATION_HOOK] = phases.join(',');
    annotations[ANNOTATION_HOOK_DELETE_POLICY] = policy ?? 'BeforeHookCreation,HookSucceeded';
    hooks.push({ ...obj, metadata: { ...obj.metadata, annotations } });
  }
  return hooks;
}

/** Whether the objects declare a PreDelete or PostDelete hook. */
export function hasDeletionHooks(objects: readonly KubeObject[]): boolean {
  return deletionHooks(objects).length > 0;
}
