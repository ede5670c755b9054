// The sync windows that apply to one Environment: its own (spec.sync.windows) and the shared
// SyncWindow objects of its namespace whose selector matches its labels, each named the way
// status, events and the CLI show it.
import type { EnvironmentSyncWindow, SyncWindowSpec } from '../../api/v1alpha1/sync-window.ts';
import type { SyncWindowSource } from './sync-windows.ts';

/** A SyncWindow object as the reader needs it. */
export interface SharedSyncWindow {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: SyncWindowSpec;
}

export interface WindowedEnvironment {
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly windows?: readonly EnvironmentSyncWindow[];
}

export function syncWindowSources(env: WindowedEnvironment, shared: readonly SharedSyncWindow[]): SyncWindowSource[] {
  const own = (env.windows ?? []).map((w, i) => ({
    name: w.name ?? `spec.sync.windows[${i}]`,
    field: `spec.sync.windows[${i}]`,
    rule: w,
  }));
  const selected = shared
    .filter((w) => w.metadata.namespace === env.namespace && selects(w.spec.selector, env.labels))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((w) => ({
      name: `SyncWindow/${w.metadata.name}`,
      field: `SyncWindow ${w.metadata.namespace}/${w.metadata.name} spec`,
      rule: w.spec,
    }));
  return [...own, ...selected];
}

/** No selector selects every Environment of the namespace; matchLabels, those that carry all of them. */
export function selects(selector: SyncWindowSpec['selector'], labels: Readonly<Record<string, string>> | undefined) {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
}
