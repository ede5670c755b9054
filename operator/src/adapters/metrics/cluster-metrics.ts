// Per-cluster metrics: whether each destination cluster answers, how many Environments use it,
// and how long the API requests to each cluster take (the operator's own cluster included,
// labelled by its server). The label is the server's scheme, host and port, never a credential.
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { KubernetesRequestSample } from '../kubernetes/rest-transport.ts';
import { METRIC_PREFIX } from './registry.ts';

export class ClusterMetrics {
  readonly connected: Gauge<'cluster'>;
  readonly environmentCount: Gauge<'cluster'>;
  readonly requestDuration: Histogram<'cluster'>;

  constructor(registry: Registry) {
    this.connected = new Gauge({
      name: `${METRIC_PREFIX}cluster_connected`,
      help: 'Whether a destination cluster answers (1) or not (0), by its API server.',
      labelNames: ['cluster'],
      registers: [registry],
    });
    this.environmentCount = new Gauge({
      name: `${METRIC_PREFIX}cluster_environments`,
      help: 'Environments whose spec.destination leads to a cluster, by its API server.',
      labelNames: ['cluster'],
      registers: [registry],
    });
    this.requestDuration = new Histogram({
      name: `${METRIC_PREFIX}cluster_request_duration_seconds`,
      help: 'Duration of the requests to each cluster (watches left out), by its API server.',
      labelNames: ['cluster'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  connection(cluster: string, up: boolean): void {
    this.connected.set({ cluster }, up ? 1 : 0);
  }

  environments(cluster: string, count: number): void {
    this.environmentCount.set({ cluster }, count);
  }

  forget(cluster: string): void {
    this.connected.remove({ cluster });
    this.environmentCount.remove({ cluster });
  }

  observe = (sample: KubernetesRequestSample): void => {
    this.requestDuration.observe({ cluster: sample.server }, sample.seconds);
  };
}
