// The desired state compared with the cluster: each object's sync and health, what the
// inventory holds that the desired state dropped (and what becomes of it), and the comparison
// kept for the diff API.
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { summarizeResources, type ResourceSummary } from '../../core/environment/resource-summary.ts';
import { formatKey, keyOf, type KubeObject } from '../../core/manifest.ts';
import { isHook } from '../../core/sync/annotations.ts';
import { retentionOf } from '../../core/sync/ownership.ts';
import { parseInventoryEntry } from '../../core/sync/prune-set.ts';
import type { DesiredState } from './desired-state.ts';
import type { EnvironmentExecutor } from './ports.ts';
import { environmentSyncOptions, type RunScope } from './run-scope.ts';

/** The desired state's objects (hooks aside) compared with the live ones, leftovers included. */
export async function compareDesired(
  scope: RunScope,
  executor: EnvironmentExecutor,
  desired: DesiredState,
): Promise<ResourceSummary> {
  const { deps, env, status } = scope;
  const resources = desired.objects.filter((o) => !isHook(o));
  const { live, report } = await executor.compareWithCluster(
    resources,
    env.spec.sync?.ignoreDifferences,
    environmentSyncOptions(env),
  );
  const desiredKeys = new Set(resources.map((o) => formatKey(keyOf(o))));
  const leftovers = (status.inventory ?? []).filter((e) => !desiredKeys.has(formatKey(parseInventoryEntry(e).key)));
  // What a prune would leave in place (no longer this Environment's, or prune disabled) is not awaiting one.
  const owner = { namespace: env.metadata.namespace, name: env.metadata.name };
  const extra = [...(await executor.readInventory(leftovers)).values()].filter((o) => !retentionOf(o, owner));
  deps.diffs?.set(env.metadata.namespace, env.metadata.name, desired.revision, [
    ...report.resources,
    ...extra.map((o) => ({
      key: formatKey(keyOf(o)),
      status: 'OutOfSync' as const,
      reason: 'Extra' as const,
      changes: [],
    })),
  ]);
  return summarizeResources({
    extra,
    extraFate: extraFate(env, resources.length === 0 && extra.length > 0),
    apps: desired.apps,
    comparisons: new Map(report.resources.map((r) => [r.key, r])),
    live,
    errors: new Map(report.errors.map((e) => [e.key, deps.redactor.redactText(e.message)])),
    assessHealth: deps.assessHealth,
  });
}

/** The desired objects that are OutOfSync (not hooks): what a self-heal re-applies. */
export function driftedObjects(summary: ResourceSummary, desired: DesiredState): KubeObject[] {
  const outOfSync = new Set(
    summary.resources
      .filter((r) => r.sync === 'OutOfSync' && !r.hook)
      .map((r) => formatKey({ group: r.group, kind: r.kind, namespace: r.namespace ?? '', name: r.name })),
  );
  return desired.objects.filter((o) => !isHook(o) && outOfSync.has(formatKey(keyOf(o))));
}

/** What becomes of objects no longer in the desired state, as their resource message says. */
function extraFate(env: EnvironmentResource, emptyDesired: boolean): string {
  const sync = env.spec.sync;
  if (emptyDesired && !sync?.allowEmpty) {
    return 'the desired state is empty, and Keelson refuses to prune everything (set spec.sync.allowEmpty to allow it)';
  }
  if (sync?.automated && !sync.automated.prune) {
    return 'automated prune is off (spec.sync.automated.prune); a manual sync prunes it';
  }
  return 'the next sync prunes it';
}
