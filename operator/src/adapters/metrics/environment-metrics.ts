// Environment metrics for dashboards and alerts: an info gauge per Environment carrying its
// sync and health status (1 for the current values), sync operations by result, sync
// duration, hook runs by phase and result, and drift corrections.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EnvironmentResource } from '../kubernetes/keelson-resources.ts';
import { METRIC_PREFIX } from './registry.ts';

type EnvLabels = 'namespace' | 'name';

export class EnvironmentMetrics {
  readonly info: Gauge<EnvLabels | 'sync_status' | 'health_status' | 'revision' | 'automated'>;
  readonly syncs: Counter<EnvLabels | 'result'>;
  readonly syncDuration: Histogram<EnvLabels>;
  readonly hooks: Counter<EnvLabels | 'phase' | 'result'>;
  readonly driftCorrections: Counter<EnvLabels>;
  readonly synthesisDuration: Histogram<'result'>;
  readonly synthesisReused: Counter;
  readonly #current = new Map<string, Record<string, string>>();

  constructor(registry: Registry) {
    this.info = new Gauge({
      name: `${METRIC_PREFIX}environment_info`,
      help: 'One series per Environment with its current sync status, health status, revision and sync policy as labels (value 1).',
      labelNames: ['namespace', 'name', 'sync_status', 'health_status', 'revision', 'automated'],
      registers: [registry],
    });
    this.syncs = new Counter({
      name: `${METRIC_PREFIX}sync_operations_total`,
      help: 'Finished sync operations by Environment and result (Succeeded, Failed).',
      labelNames: ['namespace', 'name', 'result'],
      registers: [registry],
    });
    this.syncDuration = new Histogram({
      name: `${METRIC_PREFIX}sync_duration_seconds`,
      help: 'Duration of sync operations, hooks and waits for health included.',
      labelNames: ['namespace', 'name'],
      buckets: [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    });
    this.hooks = new Counter({
      name: `${METRIC_PREFIX}hook_runs_total`,
      help: 'Hook runs by Environment, hook phase (PreSync, Sync, PostSync, SyncFail) and result.',
      labelNames: ['namespace', 'name', 'phase', 'result'],
      registers: [registry],
    });
    this.driftCorrections = new Counter({
      name: `${METRIC_PREFIX}drift_corrections_total`,
      help: 'Self-heal syncs started because managed objects drifted from the desired state.',
      labelNames: ['namespace', 'name'],
      registers: [registry],
    });
    this.synthesisDuration = new Histogram({
      name: `${METRIC_PREFIX}synthesis_duration_seconds`,
      help: 'Duration of one synthesis of a deploy repository environment (bundling and the sandboxed run), by result.',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.synthesisReused = new Counter({
      name: `${METRIC_PREFIX}synthesis_reused_total`,
      help:
        "Syntheses not run because a new revision changed none of the environment's inputs " +
        '(the last result was reused).',
      registers: [registry],
    });
  }

  /** Times one synthesis. */
  async timeSynthesis<T>(run: () => Promise<T>): Promise<T> {
    const end = this.synthesisDuration.startTimer();
    try {
      const result = await run();
      end({ result: 'success' });
      return result;
    } catch (err) {
      end({ result: 'failure' });
      throw err;
    }
  }

  observe(env: EnvironmentResource): void {
    const key = `${env.metadata.namespace}/${env.metadata.name}`;
    const labels = {
      namespace: env.metadata.namespace,
      name: env.metadata.name,
      sync_status: env.status?.sync?.status ?? 'Unknown',
      health_status: env.status?.health?.status ?? 'Unknown',
      revision: env.status?.sync?.revision ?? '',
      automated: env.spec.sync?.automated ? 'true' : 'false',
    };
    const previous = this.#current.get(key);
    if (previous && JSON.stringify(previous) !== JSON.stringify(labels)) this.info.remove(previous);
    this.info.set(labels, 1);
    this.#current.set(key, labels);
  }

  syncFinished(env: EnvironmentResource, result: 'Succeeded' | 'Failed', seconds: number): void {
    const l = { namespace: env.metadata.namespace, name: env.metadata.name };
    this.syncs.inc({ ...l, result });
    this.syncDuration.observe(l, Math.max(0, seconds));
  }

  hookFinished(env: EnvironmentResource, phase: string, result: 'Succeeded' | 'Failed'): void {
    this.hooks.inc({ namespace: env.metadata.namespace, name: env.metadata.name, phase, result });
  }

  driftCorrected(env: EnvironmentResource): void {
    this.driftCorrections.inc({ namespace: env.metadata.namespace, name: env.metadata.name });
  }

  forget(namespace: string, name: string): void {
    const previous = this.#current.get(`${namespace}/${name}`);
    if (previous) this.info.remove(previous);
    this.#current.delete(`${namespace}/${name}`);
  }
}
