// Reconcile metrics shared by every controller: duration (and so count) by kind and result;
// and the requests the operator sends to the API server, by verb, resource and code.
// Each is constructed once per registry (main.ts), and handed to what observes.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { KubernetesRequestSample } from '../kubernetes/rest-transport.ts';
import { METRIC_PREFIX } from './registry.ts';

export interface ReconcileSample {
  /** GitRepository, Environment, ... */
  readonly kind: string;
  /** success | stalled | waiting | transient */
  readonly result: string;
  readonly seconds: number;
}

export class ReconcileMetrics {
  readonly duration: Histogram<'kind' | 'result'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: `${METRIC_PREFIX}reconcile_duration_seconds`,
      help: 'Duration of one reconcile, by resource kind and result (success, stalled, waiting, transient).',
      labelNames: ['kind', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  observe = (sample: ReconcileSample): void => {
    this.duration.observe({ kind: sample.kind, result: sample.result }, sample.seconds);
  };
}

export class KubernetesRequestMetrics {
  readonly requests: Counter<'verb' | 'resource' | 'code'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: `${METRIC_PREFIX}kubernetes_requests_total`,
      help: 'Requests to the Kubernetes API server (watches left out), by verb ("PATCH (dry run)" for dry-runs), resource and HTTP code (0: no response).',
      labelNames: ['verb', 'resource', 'code'],
      registers: [registry],
    });
  }

  observe = (sample: KubernetesRequestSample): void => {
    this.requests.inc({ verb: sample.verb, resource: sample.resource, code: String(sample.code) });
  };
}
