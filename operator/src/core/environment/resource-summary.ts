// The dashboard part of an Environment's status: one row per desired object (sync, health,
// wave, hook), one per app, and the Environment's sync and health — the worst of its
// resources. Hooks are listed but count for neither sync nor health: they run during a
// sync and are gone, or finished, after it.
import type { HealthStatus, ResourceStatus, SyncStatus } from '../../api/v1alpha1/environment.ts';
import type { ResourceComparison } from '../diff/index.ts';
import { assessHealth, compareHealth, type HealthAssessor } from '../health/index.ts';
import { LABEL_APP } from '../keys.ts';
import { formatKey, groupOf, keyOf, versionOf, type KubeObject } from '../manifest.ts';
import { parseSyncAnnotations } from '../sync/annotations.ts';
import type { SynthesizedApp } from '../synthesis.ts';

export interface ResourceSummaryInput {
  readonly apps: readonly SynthesizedApp[];
  /** Comparison per formatKey (hooks have none). */
  readonly comparisons: ReadonlyMap<string, ResourceComparison>;
  /** Live objects per formatKey; absent means not in the cluster. */
  readonly live: ReadonlyMap<string, KubeObject>;
  /** Dry-run failures per formatKey. */
  readonly errors?: ReadonlyMap<string, string>;
  /** Live objects Keelson applied earlier that the desired state no longer has (they await pruning). */
  readonly extra?: readonly KubeObject[];
  /** What becomes of the extra objects, for their message. @default 'the next sync prunes it' */
  readonly extraFate?: string;
  /** How live objects are judged (the user's health rules included). @default assessHealth */
  readonly assessHealth?: HealthAssessor;
}

export interface AppSummary {
  readonly name: string;
  readonly sync: SyncStatus;
  readonly health: HealthStatus;
  readonly resources: number;
}

export interface ResourceSummary {
  readonly resources: ResourceStatus[];
  readonly apps: AppSummary[];
  readonly sync: SyncStatus;
  readonly health: { readonly status: HealthStatus; readonly message?: string };
}

const MAX_MESSAGE = 1024;

export function summarizeResources(input: ResourceSummaryInput): ResourceSummary {
  const resources: ResourceStatus[] = [];
  const apps: AppSummary[] = [];
  const worst: { status: HealthStatus; message?: string } = { status: 'Healthy' };
  let envSync: SyncStatus = 'Synced';
  for (const app of input.apps) {
    let appSync: SyncStatus = 'Synced';
    let appHealth: HealthStatus = 'Healthy';
    let counted = 0;
    for (const obj of app.objects) {
      const key = formatKey(keyOf(obj));
      const annotations = parseSyncAnnotations(obj);
      const base = {
        group: groupOf(obj.apiVersion),
        version: versionOf(obj.apiVersion),
        kind: obj.kind,
        namespace: obj.metadata.namespace || undefined,
        name: obj.metadata.name,
        app: app.name,
        wave: annotations.wave,
      };
      if (annotations.hooks.length > 0 || annotations.skip) {
        resources.push({ ...base, hook: annotations.hooks.join(',') || undefined });
        continue;
      }
      counted++;
      const comparison = input.comparisons.get(key);
      const error = input.errors?.get(key);
      // A dry-run the API server refused (an immutable field changed, an invalid value): the
      // live object is not what the desired state says, and a sync would fail on it.
      const sync: SyncStatus = error ? 'OutOfSync' : (comparison?.status ?? 'Unknown');
      const health = (input.assessHealth ?? assessHealth)(input.live.get(key));
      const message = error ?? (sync === 'OutOfSync' ? describeDrift(comparison) : health.message);
      resources.push({
        ...base,
        sync,
        health: health.status,
        message: message?.slice(0, MAX_MESSAGE) || undefined,
      });
      appSync = worseSync(appSync, sync);
      if (compareHealth(health.status, appHealth) > 0) appHealth = health.status;
      if (compareHealth(health.status, worst.status) > 0) {
        worst.status = health.status;
        worst.message = `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}: ${health.message ?? health.status}`;
      }
    }
    apps.push({ name: app.name, sync: appSync, health: appHealth, resources: counted });
    envSync = worseSync(envSync, appSync);
  }
  // Objects awaiting prune make their app OutOfSync too (an app removed from the repo keeps
  // a row until they are gone), so the apps table and the Environment tell the same story.
  for (const obj of input.extra ?? []) {
    const appName = obj.metadata.labels?.[LABEL_APP];
    resources.push({
      group: groupOf(obj.apiVersion),
      version: versionOf(obj.apiVersion),
      kind: obj.kind,
      namespace: obj.metadata.namespace || undefined,
      name: obj.metadata.name,
      app: appName || undefined,
      sync: 'OutOfSync',
      message: `no longer in the desired state: ${input.extraFate ?? 'the next sync prunes it'}`,
    });
    envSync = worseSync(envSync, 'OutOfSync');
    if (!appName) continue;
    const index = apps.findIndex((a) => a.name === appName);
    const app = apps[index];
    if (app) apps[index] = { ...app, sync: worseSync(app.sync, 'OutOfSync') };
    else apps.push({ name: appName, sync: 'OutOfSync', health: 'Healthy', resources: 0 });
  }
  return { resources, apps, sync: envSync, health: worst.status === 'Healthy' ? { status: 'Healthy' } : { ...worst } };
}

function worseSync(a: SyncStatus, b: SyncStatus): SyncStatus {
  const order: readonly SyncStatus[] = ['Synced', 'OutOfSync', 'Unknown'];
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}

function describeDrift(c: ResourceComparison | undefined): string | undefined {
  if (!c) return undefined;
  if (c.reason === 'Missing') return 'not in the cluster yet';
  if (c.reason === 'Deleting') return 'being deleted: a sync applies it again once it is gone';
  const paths = c.changes.map((ch) => ch.path).slice(0, 5);
  return paths.length
    ? `differs at ${paths.join(', ')}${c.changes.length > 5 ? `, and ${c.changes.length - 5} more` : ''}`
    : 'differs from the desired state';
}
