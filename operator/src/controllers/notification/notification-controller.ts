// The notification controller: watches Notifications, is told of every Environment the
// operator's watches see, and hands each change to the workers of the Notifications that
// select it. It never touches the Environment reconciler: a slow or failing provider holds
// only its own Notification's worker (ADR 0018).
import type { KubeConnection } from '../../adapters/kubernetes/kubeconfig.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { notificationDefinition } from '../../api/v1alpha1/index.ts';
import type { EnvironmentResource, GitRepositoryResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { optionalWatches, type OptionalWatch } from '../../adapters/kubernetes/optional-watch.ts';
import type { NotificationMetrics } from '../../adapters/metrics/notification-metrics.ts';
import { httpSender, type SendRequest } from '../../adapters/notify/http-sender.ts';
import type { Logger } from '../../core/logger.ts';
import {
  DEFAULT_RATE_LIMIT,
  DEFAULT_RETRY_POLICY,
  type RateLimit,
  type RetryPolicy,
} from '../../core/notify/delivery-policy.ts';
import { selectsEnvironment } from '../../core/notify/selection.ts';
import type { NotificationStore } from './notification-store.ts';
import { NotificationWorker, type NotificationResource } from './notification-worker.ts';
import type { ShardGate } from '../../main-shards.ts';

export interface NotificationControllerOptions {
  readonly kubeConfig: KubeConnection;
  /** Namespaces to watch; empty means all. */
  readonly namespaces: readonly string[];
  readonly store: NotificationStore;
  readonly metrics: NotificationMetrics;
  readonly log: Logger;
  /** The web UI's base URL, for the link in each message (docs/ui.md's routes under it). */
  readonly uiUrl?: string;
  /** @default fetch, 10 s per request */
  readonly send?: SendRequest;
  readonly policy?: RetryPolicy;
  readonly rateLimit?: RateLimit;
  /** How often a Notification whose provider cannot be used is checked again. @default 10 s */
  readonly recheckMs?: number;
  /** With sharding (ADR 0023): only the Notifications of this replica's shards deliver here. */
  readonly shards?: Pick<ShardGate, 'accepts'>;
}

export class NotificationController {
  readonly #options: NotificationControllerOptions;
  readonly #watches: OptionalWatch[];
  readonly #workers = new Map<string, NotificationWorker>();
  /** Every Notification watched, this replica's or not. */
  readonly #resources = new Map<string, NotificationResource>();
  readonly #environments = new Map<string, EnvironmentResource>();
  readonly #gitRepositories = new Map<string, GitRepositoryResource>();
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: NotificationControllerOptions) {
    this.#options = options;
    this.#watches = optionalWatches({
      kubeConfig: options.kubeConfig,
      namespaces: options.namespaces,
      definition: notificationDefinition,
      log: options.log,
      onEvent: (type, obj) => this.#onNotification(obj as NotificationResource, type === 'DELETED'),
    });
  }

  async start(): Promise<void> {
    await Promise.all(this.#watches.map((w) => w.start()));
    // A provider that could not be used (a Secret missing) is checked again, and its events retried.
    this.#timer = setInterval(() => {
      for (const worker of this.#workers.values()) if (worker.unusable) worker.enqueue(this.#selected(worker), true);
    }, this.#options.recheckMs ?? 10_000);
    this.#timer.unref();
    this.#options.log.info('notification controller started', { notifications: this.#workers.size });
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopping.abort();
    await Promise.all(this.#watches.map((w) => w.stop()));
    await Promise.all([...this.#workers.values()].map((w) => w.stop()));
    this.#options.store.close();
  }

  /** Every Environment the operator's watches see (main.ts passes them on). */
  onEnvironment(env: EnvironmentResource, deleted: boolean): void {
    const { namespace, name } = env.metadata;
    if (deleted) {
      this.#environments.delete(`${namespace}/${name}`);
      return;
    }
    this.#environments.set(`${namespace}/${name}`, env);
    for (const worker of this.#workers.values())
      if (worker.namespace === namespace && selectsEnvironment(worker.spec.environments, name, env.metadata.labels))
        worker.enqueue([name]);
  }

  /** Every GitRepository the operator's watches see: a fetch failing is told of the Environments it feeds. */
  onGitRepository(repo: GitRepositoryResource, deleted: boolean): void {
    const { namespace, name } = repo.metadata;
    if (deleted) this.#gitRepositories.delete(`${namespace}/${name}`);
    else this.#gitRepositories.set(`${namespace}/${name}`, repo);
    const fed = [...this.#environments.values()].filter(
      (env) => env.metadata.namespace === namespace && env.spec.sourceRef.name === name,
    );
    if (fed.length === 0) return;
    for (const worker of this.#workers.values()) {
      if (worker.namespace !== namespace) continue;
      const names = fed
        .filter((env) => selectsEnvironment(worker.spec.environments, env.metadata.name, env.metadata.labels))
        .map((env) => env.metadata.name);
      if (names.length > 0) worker.enqueue(names);
    }
  }

  #onNotification(resource: NotificationResource, deleted: boolean): void {
    const key = `${resource.metadata.namespace}/${resource.metadata.name}`;
    const worker = this.#workers.get(key);
    if (deleted) this.#resources.delete(key);
    else this.#resources.set(key, resource);
    if (deleted || (this.#options.shards && !this.#options.shards.accepts(key))) {
      this.#workers.delete(key);
      void worker?.stop();
      return;
    }
    if (worker && !worker.stopped) {
      const changed = worker.spec !== resource.spec && JSON.stringify(worker.spec) !== JSON.stringify(resource.spec);
      worker.update(resource);
      // Its own status writes come back here too: only a spec change is news.
      if (changed) worker.enqueue(this.#selected(worker), true);
      return;
    }
    const next = this.#newWorker(resource);
    this.#workers.set(key, next);
    next.enqueue(this.#selected(next), true);
  }

  /** The shards this replica holds changed: its Notifications' workers start, the others' stop. */
  reshard(): void {
    for (const [key, resource] of this.#resources) {
      const mine = this.#options.shards?.accepts(key) ?? true;
      if (mine !== this.#workers.has(key)) this.#onNotification(resource, false);
    }
  }

  #newWorker(resource: NotificationResource): NotificationWorker {
    const { namespace, name } = resource.metadata;
    const provider = resource.spec.provider.type;
    const { metrics, log } = this.#options;
    return new NotificationWorker(resource, {
      store: this.#options.store,
      log,
      uiUrl: this.#options.uiUrl,
      send: this.#options.send ?? httpSender(),
      policy: this.#options.policy ?? DEFAULT_RETRY_POLICY,
      rateLimit: this.#options.rateLimit ?? DEFAULT_RATE_LIMIT,
      now: Date.now,
      sleep: (ms) => sleep(ms, undefined, { signal: this.#stopping.signal }).catch(() => undefined),
      environment: (ns, env) => this.#environments.get(`${ns}/${env}`),
      gitRepository: (ns, repo) => this.#gitRepositories.get(`${ns}/${repo}`),
      onDelivery: (trigger, result) => metrics.observe({ namespace, name, provider, trigger, result }),
      onRetry: () => metrics.retried(namespace, name, provider),
    });
  }

  /** The names of the Environments a worker's Notification selects now. */
  #selected(worker: NotificationWorker): string[] {
    const names: string[] = [];
    for (const env of this.#environments.values())
      if (
        env.metadata.namespace === worker.namespace &&
        selectsEnvironment(worker.spec.environments, env.metadata.name, env.metadata.labels)
      )
        names.push(env.metadata.name);
    return names;
  }
}
