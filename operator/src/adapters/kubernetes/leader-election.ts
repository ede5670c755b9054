// Leader election with a coordination.k8s.io Lease, the way client-go does it: take the
// Lease when it is free or expired, renew it well before it expires, and give up (stop
// acting) when a renewal has not succeeded within the lease duration. Optimistic
// concurrency (resourceVersion) makes two candidates never both win.
import * as k8s from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';

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
  readonly #api: k8s.CoordinationV1Api;
  readonly #options: LeaderElectionOptions;
  #stopped = false;
  #leading = false;

  constructor(kc: k8s.KubeConfig, options: LeaderElectionOptions) {
    this.#api = kc.makeApiClient(k8s.CoordinationV1Api);
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
      const lease = await this.#api.readNamespacedLease({ name: this.#options.name, namespace: this.#options.namespace });
      if (lease.spec?.holderIdentity !== this.#options.identity) return;
      lease.spec.holderIdentity = undefined;
      lease.spec.renewTime = undefined;
      lease.spec.acquireTime = undefined;
      await this.#api.replaceNamespacedLease({ name: this.#options.name, namespace: this.#options.namespace, body: lease });
    } catch (err) {
      this.#options.onError?.(err);
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity } = this.#options;
    const now = (this.#options.clock?.() ?? new Date());
    const durationSeconds = Math.ceil((this.#options.leaseDurationMs ?? 15_000) / 1000);
    try {
      let lease: k8s.V1Lease;
      try {
        lease = await this.#api.readNamespacedLease({ name, namespace });
      } catch (err) {
        if (!(err instanceof k8s.ApiException && err.code === 404)) throw err;
        await this.#api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 } } });
        return true;
      }
      const spec = lease.spec ?? {};
      const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
      const expired = renewed + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 < now.getTime();
      const mine = spec.holderIdentity === identity;
      if (!mine && spec.holderIdentity && !expired) return false;
      lease.spec = {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: now,
        ...(mine ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
      };
      await this.#api.replaceNamespacedLease({ name, namespace, body: lease });
      return true;
    } catch (err) {
      if (!(err instanceof k8s.ApiException && err.code === 409)) this.#options.onError?.(err);
      return false;
    }
  }
}
