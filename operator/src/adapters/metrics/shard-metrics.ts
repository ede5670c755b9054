// Metrics of sharding (ADR 0023), per replica: which shards it holds, how many Environments
// are in each, how often shards came and went, the replicas it sees, and the writes and
// reconciles it refused because their shard was no longer its own.
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './registry.ts';

export type ShardEvent = 'acquired' | 'released' | 'taken' | 'expired';

export class ShardMetrics {
  readonly held: Gauge<'shard'>;
  readonly transitions: Counter<'shard' | 'event'>;
  readonly fenced: Counter<'what'>;

  constructor(
    registry: Registry,
    shards: number,
    view: {
      /** The live replicas this one sees. */
      readonly replicas: () => number;
      /** Environments per shard this replica holds. */
      readonly environments: () => ReadonlyMap<number, number>;
    },
  ) {
    this.held = new Gauge({
      name: `${METRIC_PREFIX}shard_held`,
      help: 'Whether this replica holds the shard (1) or not (0).',
      labelNames: ['shard'],
      registers: [registry],
    });
    for (let s = 0; s < shards; s++) this.held.set({ shard: String(s) }, 0);
    this.transitions = new Counter({
      name: `${METRIC_PREFIX}shard_transitions_total`,
      help:
        'Shards this replica took (acquired) or stopped holding: handed back (released), taken by ' +
        'another replica (taken), or not renewed in time (expired).',
      labelNames: ['shard', 'event'],
      registers: [registry],
    });
    this.fenced = new Counter({
      name: `${METRIC_PREFIX}shard_fenced_total`,
      help:
        'Work this replica refused because its shard is no longer its own: a write not sent (write) ' +
        'or a reconcile not started (reconcile).',
      labelNames: ['what'],
      registers: [registry],
    });
    new Gauge({
      name: `${METRIC_PREFIX}shard_replicas`,
      help: 'The live replicas (member Leases renewed in time) this replica sees.',
      registers: [registry],
      collect() {
        this.set(view.replicas());
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}shard_environments`,
      help: 'Environments in each shard this replica holds.',
      labelNames: ['shard'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [shard, count] of view.environments()) this.set({ shard: String(shard) }, count);
      },
    });
  }

  changed(shard: number, event: ShardEvent): void {
    this.held.set({ shard: String(shard) }, event === 'acquired' ? 1 : 0);
    this.transitions.inc({ shard: String(shard), event });
  }
}
