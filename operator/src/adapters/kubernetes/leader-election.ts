// Leader election with a coordination.k8s.io Lease, the way client-go does it: take the
// Lease when it is free or expired, renew it well before it expires, and give up (stop
// acting) when a renewal has not succeeded within the lease duration. Optimistic
// concurrency (resourceVersion) makes two candidates never both win.
import type { KubeConnection } from './kubeconfig.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeApiError } from './api-error.ts';
import { RestTransport } from './rest-transport.ts';

/** A Lease as plain JSON: MicroTime fields must carry six fractional digits. */
export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** RFC 3339 with microseconds, the form the API server's MicroTime accepts. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface LeaderElectionOptions {
  readonly name: string;
  readonly namespace: string;
  readonly identity: string;
  /** @default 15 s */
  readonly leaseDurationMs?: number;
  /** @default 5 s */
  readonly renewIntervalMs?: number;
  /** @default 2 s */
  readonly retryIntervalMs?: number;
  readonly onError?: (err: unknown) => void;
  readonly clock?: () => Date;
}

export class LeaderElection {
  readonly #kc: KubeConnection;
  #rest: RestTransport | undefined;
  readonly #options: LeaderElectionOptions;
  #stopped = false;
  #leading = false;

  constructor(kc: KubeConnection, options: LeaderElectionOptions) {
    this.#kc = kc;
    this.#options = options;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /**
   * Waits until this candidate leads, calls `onStarted`, keeps renewing, and calls
   * `onStopped` when leadership is lost (not when stop() is called).
   */
  async run(onStarted: () => Promise<void> | void, onStopped: () => void): Promise<void> {
    this.#rest ??= await RestTransport.fromKubeConfig(this.#kc, { maxSockets: 1, timeoutMs: 5000 });
    const duration = this.#options.leaseDurationMs ?? 15_000;
    while (!this.#stopped && !(await this.#tryAcquireOrRenew())) await sleep(this.#options.retryIntervalMs ?? 2000);
    if (this.#stopped) return;
    this.#leading = true;
    await onStarted();
    let lastRenewal = Date.now();
    while (!this.#stopped) {
      await sleep(this.#options.renewIntervalMs ?? 5000);
      if (this.#stopped) break;
      if (await this.#tryAcquireOrRenew()) lastRenewal = Date.now();
      else if (Date.now() - lastRenewal > duration) {
        this.#leading = false;
        onStopped();
        return;
      }
    }
  }

  /** Stops campaigning and releases the Lease if held, so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (!this.#leading) return;
    this.#leading = false;
    try {
      const lease = await this.#rest!.request<Lease>({ method: 'GET', path: this.#path() });
      if (lease.spec?.holderIdentity !== this.#options.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: null, renewTime: null, acquireTime: null };
      await this.#rest!.request({ method: 'PUT', path: this.#path(), body: lease });
    } catch (err) {
      this.#options.onError?.(err);
    } finally {
      this.#rest?.close();
    }
  }

  /** The Leases of the namespace. */
  #collection(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.#options.namespace)}/leases`;
  }

  /** This election's Lease. */
  #path(): string {
    return `${this.#collection()}/${encodeURIComponent(this.#options.name)}`;
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity } = this.#options;
    const now = microTime(this.#options.clock?.() ?? new Date());
    const durationSeconds = Math.ceil((this.#options.leaseDurationMs ?? 15_000) / 1000);
    const rest = this.#rest!;
    try {
      let lease: Lease;
      try {
        lease = await rest.request<Lease>({ method: 'GET', path: this.#path() });
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 404)) throw err;
        await rest.request({
          method: 'POST',
          path: this.#collection(),
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          } satisfies Lease,
        });
        return true;
      }
      const spec = lease.spec ?? {};
      const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
      const expired = renewed + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 < Date.parse(now);
      const mine = spec.holderIdentity === identity;
      if (!mine && spec.holderIdentity && !expired) return false;
      lease.spec = {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: now,
        ...(mine ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
      };
      await rest.request({ method: 'PUT', path: this.#path(), body: lease });
      return true;
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409)) this.#options.onError?.(err);
      return false;
    }
  }
}
