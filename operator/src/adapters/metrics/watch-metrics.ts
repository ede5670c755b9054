// What the operator keeps of its own cluster's managed objects: the objects its watches hold,
// by kind, the part of its memory that grows with the fleet. Run sharded, each replica holds
// only its shards' objects (ADR 0026), so the sum over the replicas counts each object once.
import { Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './registry.ts';

export function watchedObjectsGauge(registry: Registry, counts: () => ReadonlyMap<string, number>): void {
  new Gauge({
    name: `${METRIC_PREFIX}watched_objects`,
    help: "Managed objects of the operator's own cluster its watches hold (its cache of live objects), by kind.",
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, n] of counts()) this.set({ kind }, n);
    },
  });
}
