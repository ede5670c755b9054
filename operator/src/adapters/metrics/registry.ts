// The one Prometheus registry of the operator: every Keelson metric is `keelson_`-prefixed
// and registered here; `/metrics` (issue 7) serves `registry.metrics()`.
import { collectDefaultMetrics, Registry } from 'prom-client';

export const METRIC_PREFIX = 'keelson_';

export interface MetricsRegistryOptions {
  /** Also collect process and Node.js metrics (keelson_process_*, keelson_nodejs_*). @default false */
  readonly processMetrics?: boolean;
}

export function createRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
