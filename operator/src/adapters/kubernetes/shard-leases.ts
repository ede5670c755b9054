// The shards a replica holds (ADR 0023), as coordination.k8s.io Leases: one member Lease per
// replica says it is alive (and with how many shards it counts), one Lease per shard says who
// holds it. Each tick lists them in one request, computes the assignment every replica
// computes (core/sharding.ts), takes the shards assigned to it that are free or expired,
// renews the ones it holds, and hands back those assigned elsewhere once their reconciles
// ended. Expiry is judged as client-go judges it: by how long a Lease has not changed as this
// replica saw it, so clocks need not agree. A shard counts as held only while its last
// renewal is younger than the renew deadline, shorter than the lease duration: a replica that
// was paused stops writing before another can take its shards.
import type { KubeConnection } from './kubeconfig.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { assignShards } from '../../core/sharding.ts';
import { KubeApiError } from './api-error.ts';
import { microTime, type Lease } from './leader-election.ts';
import { RestTransport } from './rest-transport.ts';

const LABEL_GROUP = 'keelson.dev/lease-group';
const LABEL_ROLE = 'keelson.dev/lease-role';
const ANNOTATION_SHARDS = 'keelson.dev/shards';

export interface ShardLeasesOptions {
  /** The Leases' name prefix (--lease-name): `<group>-shard-<n>`, `<group>-member-<identity>`. */
  readonly group: string;
  readonly namespace: string;
  readonly identity: string;
  readonly shards: number;
  /** @default 15 s */
  readonly leaseDurationMs?: number;
  /** How often the Leases are looked at. @default a seventh of the lease duration */
  readonly tickMs?: number;
  /** A shard was taken: its objects are this replica's to reconcile. */
  readonly onAcquired: (shard: number) => void;
  /** A shard is assigned elsewhere: resolves when this replica's reconciles of it have ended. */
  readonly onReleasing: (shard: number) => Promise<void>;
  /** A shard is no longer held (handed back, taken by another, or not renewed in time). */
  readonly onLost: (shard: number, why: 'released' | 'taken' | 'expired') => void;
  readonly onError?: (err: unknown) => void;
  /** A problem that keeps this replica from holding any shard (replicas disagree on the shard count). */
  readonly onConflict?: (message: string | undefined) => void;
  /** Monotonic milliseconds. @default performance.now */
  readonly now?: () => number;
}

/** A Lease name part from an identity: lower case letters, digits and dashes. */
function namePart(identity: string): string {
  return (
    identity
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 200) || 'replica'
  );
}

export class ShardLeases {
  readonly #kc: KubeConnection;
  readonly #o: ShardLeasesOptions;
  readonly #durationMs: number;
  readonly #deadlineMs: number;
  readonly #now: () => number;
  #rest: RestTransport | undefined;
  /** Shard → when this replica last renewed it (monotonic ms). */
  readonly #held = new Map<number, number>();
  /** Shards being handed back: no new reconciles; renewed until their reconciles end. */
  readonly #releasing = new Map<number, Promise<void>>();
  /** Lease name → its resourceVersion and when this replica saw it change. */
  readonly #seen = new Map<string, { version: string; at: number }>();
  #holders = new Map<number, string>();
  #members: string[] = [];
  #memberRenewed = -Infinity;
  #conflict: string | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(kc: KubeConnection, options: ShardLeasesOptions) {
    this.#kc = kc;
    this.#o = options;
    this.#durationMs = options.leaseDurationMs ?? 15_000;
    this.#deadlineMs = Math.round(this.#durationMs * (2 / 3));
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether this replica may write for the shard: held, renewed within the deadline. */
  owns(shard: number): boolean {
    const renewed = this.#held.get(shard);
    return renewed !== undefined && this.#now() - renewed < this.#deadlineMs;
  }

  /** Whether this replica starts new reconciles in the shard: owned and not being handed back. */
  accepts(shard: number): boolean {
    return this.owns(shard) && !this.#releasing.has(shard);
  }

  /** The shards this replica holds now. */
  held(): number[] {
    return [...this.#held.keys()].filter((s) => this.owns(s)).sort((a, b) => a - b);
  }

  /** The holder of each shard and the live members, as the last tick saw them. */
  view(): { holders: ReadonlyMap<number, string>; members: readonly string[] } {
    return { holders: this.#holders, members: this.#members };
  }

  /** Takes part: the first tick is done when this resolves; the loop goes on until stop(). */
  async start(): Promise<void> {
    this.#rest = await RestTransport.fromKubeConfig(this.#kc, { maxSockets: 2, timeoutMs: 5000 });
    await this.#tick();
    const every = this.#o.tickMs ?? Math.max(200, Math.round(this.#durationMs / 7));
    this.#loop = (async () => {
      while (!this.#stopped) {
        await sleep(every);
        if (!this.#stopped) await this.#tick();
      }
    })();
  }

  /** Leaves: hands back every held shard and removes the member Lease, so the others take over at once. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#loop;
    const rest = this.#rest;
    if (!rest) return;
    try {
      for (const shard of this.#held.keys()) await this.#release(rest, shard);
      await rest
        .request({ method: 'DELETE', path: this.#path(this.#memberName()) })
        .catch((err: unknown) => (err instanceof KubeApiError && err.status === 404 ? undefined : Promise.reject(err)));
    } catch (err) {
      this.#o.onError?.(err);
    } finally {
      rest.close();
    }
  }

  #collection(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.#o.namespace)}/leases`;
  }

  #path(name: string): string {
    return `${this.#collection()}/${encodeURIComponent(name)}`;
  }

  #shardName(shard: number): string {
    return `${this.#o.group}-shard-${shard}`;
  }

  #memberName(): string {
    return `${this.#o.group}-member-${namePart(this.#o.identity)}`;
  }

  /** A Lease's metadata as this replica writes it: the group, the role and its shard count, over what is there. */
  #metadata(lease: Lease | undefined, name: string, role: 'member' | 'shard'): Lease['metadata'] {
    return {
      ...(lease?.metadata ?? { name, namespace: this.#o.namespace }),
      labels: { ...lease?.metadata.labels, [LABEL_GROUP]: this.#o.group, [LABEL_ROLE]: role },
      annotations: { ...lease?.metadata.annotations, [ANNOTATION_SHARDS]: String(this.#o.shards) },
    };
  }

  /** Whether a Lease has gone unchanged, as this replica saw it, for longer than its duration. */
  #expired(lease: Lease): boolean {
    const seen = this.#seen.get(lease.metadata.name);
    const duration = (lease.spec?.leaseDurationSeconds ?? this.#durationMs / 1000) * 1000;
    return seen !== undefined && this.#now() - seen.at > duration;
  }

  async #tick(): Promise<void> {
    const rest = this.#rest!;
    try {
      const leases = await rest.list<Lease>(this.#collection(), { labelSelector: `${LABEL_GROUP}=${this.#o.group}` });
      const now = this.#now();
      for (const l of leases) {
        const version = l.metadata.resourceVersion ?? '';
        if (this.#seen.get(l.metadata.name)?.version !== version) this.#seen.set(l.metadata.name, { version, at: now });
      }
      const byName = new Map(leases.map((l) => [l.metadata.name, l]));
      await this.#renewMember(rest, byName.get(this.#memberName()));
      const members = leases.filter(
        (l) =>
          l.metadata.labels?.[LABEL_ROLE] === 'member' &&
          l.spec?.holderIdentity &&
          (l.spec.holderIdentity === this.#o.identity || !this.#expired(l)),
      );
      this.#members = [...new Set([this.#o.identity, ...members.map((l) => l.spec!.holderIdentity!)])].sort();
      this.#checkShardCounts(members);
      await this.#collectDeadMembers(rest, leases);
      const assignment = this.#conflict ? new Map<number, string>() : assignShards(this.#members, this.#o.shards);
      const holders = new Map<number, string>();
      for (let shard = 0; shard < this.#o.shards; shard++) {
        const lease = byName.get(this.#shardName(shard));
        const holder = await this.#step(rest, shard, lease, assignment.get(shard) === this.#o.identity);
        if (holder) holders.set(shard, holder);
      }
      this.#holders = holders;
    } catch (err) {
      this.#o.onError?.(err);
    }
    // Held but not renewed within the deadline (the API server unreachable, this process paused).
    for (const shard of this.#held.keys()) if (!this.owns(shard)) this.#lose(shard, 'expired');
  }

  /** One shard: take it, renew it, hand it back or leave it; returns who holds it afterwards. */
  async #step(
    rest: RestTransport,
    shard: number,
    lease: Lease | undefined,
    mine: boolean,
  ): Promise<string | undefined> {
    const holder = lease?.spec?.holderIdentity ?? undefined;
    const me = this.#o.identity;
    if (this.#held.has(shard) && holder !== undefined && holder !== me) {
      this.#lose(shard, 'taken');
      return holder;
    }
    if (holder === me && !mine) {
      if (!this.#releasing.has(shard)) {
        // No new reconciles from now; the Lease goes back once the ones in progress end.
        const drained = this.#o
          .onReleasing(shard)
          .catch(() => undefined)
          .then(() => this.#release(rest, shard))
          .catch((err: unknown) => this.#o.onError?.(err))
          .finally(() => this.#releasing.delete(shard));
        this.#releasing.set(shard, drained);
      }
      if (this.#renewDue(shard)) await this.#renew(rest, shard, lease!);
      return me;
    }
    if (holder === me) {
      if (!this.#held.has(shard)) {
        // Held in the Lease but not here: this replica restarted with its identity; take it again.
        this.#held.set(shard, -Infinity);
        if (await this.#renew(rest, shard, lease!)) this.#o.onAcquired(shard);
        else this.#held.delete(shard);
      } else if (this.#renewDue(shard)) await this.#renew(rest, shard, lease!);
      return me;
    }
    if (!mine) return holder;
    if (holder !== undefined && !this.#expired(lease!)) return holder;
    if (await this.#acquire(rest, shard, lease)) {
      this.#o.onAcquired(shard);
      return me;
    }
    return holder;
  }

  /** A held shard is renewed every third of the lease duration: once more before its deadline if one fails. */
  #renewDue(shard: number): boolean {
    const renewed = this.#held.get(shard);
    return renewed !== undefined && this.#now() - renewed >= this.#durationMs / 3;
  }

  async #renewMember(rest: RestTransport, lease: Lease | undefined): Promise<void> {
    const renewEvery = this.#durationMs / 3;
    if (lease && this.#now() - this.#memberRenewed < renewEvery) return;
    const now = microTime(new Date());
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: this.#metadata(lease, this.#memberName(), 'member'),
      spec: {
        holderIdentity: this.#o.identity,
        leaseDurationSeconds: Math.ceil(this.#durationMs / 1000),
        acquireTime: lease?.spec?.acquireTime ?? now,
        renewTime: now,
      },
    };
    const sent = this.#now();
    await rest.request(
      lease
        ? { method: 'PUT', path: this.#path(this.#memberName()), body }
        : { method: 'POST', path: this.#collection(), body },
    );
    this.#memberRenewed = sent;
  }

  /** Replicas that disagree on the shard count would split objects differently: none holds a shard then. */
  #checkShardCounts(members: readonly Lease[]): void {
    const other = members.find((l) => l.metadata.annotations?.[ANNOTATION_SHARDS] !== String(this.#o.shards));
    const conflict = other
      ? `replica ${other.spec!.holderIdentity} runs with ${other.metadata.annotations?.[ANNOTATION_SHARDS] ?? 'no'} ` +
        `shards and this one with ${this.#o.shards}: no shard is taken until every replica has the same --shards`
      : undefined;
    if (conflict !== this.#conflict) this.#o.onConflict?.(conflict);
    this.#conflict = conflict;
  }

  /** Member Leases of replicas gone for ten lease durations (killed pods) are deleted by the first live member. */
  async #collectDeadMembers(rest: RestTransport, leases: readonly Lease[]): Promise<void> {
    if (this.#members[0] !== this.#o.identity) return;
    for (const l of leases) {
      if (l.metadata.labels?.[LABEL_ROLE] !== 'member' || l.spec?.holderIdentity === this.#o.identity) continue;
      const seen = this.#seen.get(l.metadata.name);
      if (!seen || this.#now() - seen.at < 10 * this.#durationMs) continue;
      await rest
        .request({ method: 'DELETE', path: this.#path(l.metadata.name) })
        .catch((err: unknown) => (err instanceof KubeApiError && err.status === 404 ? undefined : Promise.reject(err)));
    }
  }

  async #acquire(rest: RestTransport, shard: number, lease: Lease | undefined): Promise<boolean> {
    const now = microTime(new Date());
    const sent = this.#now();
    const spec = {
      holderIdentity: this.#o.identity,
      leaseDurationSeconds: Math.ceil(this.#durationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: (lease?.spec?.leaseTransitions ?? -1) + 1,
    };
    const metadata = this.#metadata(lease, this.#shardName(shard), 'shard');
    const body: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec };
    try {
      await rest.request(
        lease
          ? { method: 'PUT', path: this.#path(this.#shardName(shard)), body }
          : { method: 'POST', path: this.#collection(), body },
      );
    } catch (err) {
      // Another replica changed it first (409), or created it first (409 AlreadyExists).
      if (err instanceof KubeApiError && err.status === 409) return false;
      throw err;
    }
    this.#held.set(shard, sent);
    return true;
  }

  /** Renews a held shard; false when another replica changed its Lease first. */
  async #renew(rest: RestTransport, shard: number, lease: Lease): Promise<boolean> {
    const sent = this.#now();
    const body: Lease = { ...lease, spec: { ...lease.spec, renewTime: microTime(new Date()) } };
    try {
      await rest.request({ method: 'PUT', path: this.#path(this.#shardName(shard)), body });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) return false;
      throw err;
    }
    if (this.#held.has(shard)) this.#held.set(shard, sent);
    return true;
  }

  /** Hands a shard back: the Lease without a holder, which the replica it is assigned to takes at once. */
  async #release(rest: RestTransport, shard: number): Promise<void> {
    this.#lose(shard, 'released');
    const path = this.#path(this.#shardName(shard));
    const lease = await rest.request<Lease>({ method: 'GET', path });
    if (lease.spec?.holderIdentity !== this.#o.identity) return;
    lease.spec = { ...lease.spec, holderIdentity: null, renewTime: null, acquireTime: null };
    await rest.request({ method: 'PUT', path, body: lease }).catch((err: unknown) => {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
    });
  }

  #lose(shard: number, why: 'released' | 'taken' | 'expired'): void {
    if (!this.#held.delete(shard)) return;
    this.#o.onLost(shard, why);
  }
}
