// The dashboard part of Environment.status from one comparison: per resource (sync,
// health, wave, hook), per app, and the environment's sync and health — the worst of its
// resources. Hooks are listed but take no part in the sync status.
import type { ResourceStatus } from '../../api/v1alpha1/environment.ts';
import type { ResourceComparison } from '../diff/compare.ts';
import { assessHealth, worstHealth, type HealthAssessment, type HealthStatus } from '../health/index.ts';
import { LABEL_APP } from '../keys.ts';
import type { KubeObject } from '../manifest.ts';
import { formatKey, keyOf, versionOf } from '../manifest.ts';
import { parseSyncAnnotations } from './annotations.ts';

export type EnvironmentSyncStatus = 'Synced' | 'OutOfSync' | 'Unknown';

export interface AppSummary {
  readonly name: string;
  readonly sync: EnvironmentSyncStatus;
  readonly health: HealthStatus;
  readonly resources: number;
}

export interface ResourceSummary {
  readonly resources: ResourceStatus[];
  readonly apps: AppSummary[];
  readonly sync: EnvironmentSyncStatus;
  readonly health: HealthAssessment;
}

export interface SummarizeOptions {
  readonly desired: readonly KubeObject[];
  /** Live objects by formatKey. */
  readonly live: ReadonlyMap<string, KubeObject>;
  readonly comparisons: readonly ResourceComparison[];
}

function annotationsOf(obj: KubeObject): { wave: number; hook?: string } {
  try {
    const parsed = parseSyncAnnotations(obj);
    return { wave: parsed.wave, ...(parsed.hooks.length > 0 ? { hook: parsed.hooks.join(',') } : {}) };
  } catch {
    return { wave: 0 };
  }
}

function worstSync(statuses: readonly EnvironmentSyncStatus[]): EnvironmentSyncStatus {
  return statuses.includes('Unknown') ? 'Unknown' : statuses.includes('OutOfSync') ? 'OutOfSync' : 'Synced';
}

export function summarizeResources(options: SummarizeOptions): ResourceSummary {
  const byKey = new Map(options.comparisons.map((c) => [c.key, c]));
  const resources: ResourceStatus[] = [];
  const apps = new Map<string, { sync: EnvironmentSyncStatus[]; health: HealthAssessment[] }>();
  const healths: HealthAssessment[] = [];
  for (const obj of options.desired) {
    const key = keyOf(obj);
    const id = formatKey(key);
    const { wave, hook } = annotationsOf(obj);
    const health = assessHealth(options.live.get(id));
    const sync: EnvironmentSyncStatus = hook ? 'Synced' : byKey.get(id)?.status ?? 'Unknown';
    const app = obj.metadata.labels?.[LABEL_APP];
    resources.push({
      group: key.group, version: versionOf(obj.apiVersion), kind: key.kind, ...(key.namespace ? { namespace: key.namespace } : {}), name: key.name,
      ...(app ? { app } : {}), sync, ...(hook ? { hook } : { health: health.status }), wave,
      ...(!hook && health.message ? { message: health.message.slice(0, 4096) } : {}),
    });
    if (hook) continue;
    healths.push(health);
    if (app) {
      const entry = apps.get(app) ?? { sync: [], health: [] };
      entry.sync.push(sync);
      entry.health.push(health);
      apps.set(app, entry);
    }
  }
  return {
    resources,
    apps: [...apps.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, e]) => ({ name, sync: worstSync(e.sync), health: worstHealth(e.health).status, resources: e.sync.length })),
    sync: worstSync(resources.filter((r) => !r.hook).map((r) => r.sync ?? 'Unknown')),
    health: worstHealth(healths),
  };
}
