// One Notification's deliveries, one at a time and in order: for each Environment it is asked
// about, the events its status implies and this Notification has not handled are delivered
// (rate-limited, retried), and each one is recorded in the Notification's status as soon as it
// is handled, so a restart neither loses nor repeats it. It runs off the reconcile path: a
// provider that is down delays only this Notification's messages.
import type { Resource } from '../../adapters/kubernetes/keelson-resources.ts';
import type { EnvironmentResource, GitRepositoryResource } from '../../adapters/kubernetes/keelson-resources.ts';
import {
  NOTIFICATION_TRIGGERS,
  type Delivery,
  type NotificationSpec,
  type NotificationStatus,
  type NotificationTrigger,
  type WatchedEnvironment,
} from '../../api/v1alpha1/notification.ts';
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.ts';
import { findCondition, setCondition } from '../../core/conditions.ts';
import type { Logger } from '../../core/logger.ts';
import { TokenBucket, type RateLimit } from '../../core/notify/delivery-policy.ts';
import { composeMessage, messageVariables } from '../../core/notify/messages.ts';
import { planDelivery, resolveProvider, type ProviderResolution } from '../../core/notify/providers.ts';
import { parseTemplate } from '../../core/notify/template.ts';
import {
  markHandled,
  planNotifications,
  type EnvironmentView,
  type SourceFailure,
  type TriggerEvent,
} from '../../core/notify/triggers.ts';
import { ANNOTATION_AUTO_SYNC_PAUSED } from '../../core/keys.ts';
import { deliver, type DeliveryOptions } from './delivery.ts';
import type { NotificationStore } from './notification-store.ts';

export type NotificationResource = Resource<NotificationSpec, NotificationStatus>;

export interface WorkerOptions extends Omit<DeliveryOptions, 'onRetry' | 'stopped'> {
  readonly store: NotificationStore;
  readonly log: Logger;
  readonly rateLimit: RateLimit;
  readonly uiUrl?: string;
  /** The Environment as the watches hold it now (undefined once deleted). */
  readonly environment: (namespace: string, name: string) => EnvironmentResource | undefined;
  /** A GitRepository as the watches hold it now. */
  readonly gitRepository: (namespace: string, name: string) => GitRepositoryResource | undefined;
  readonly onDelivery: (trigger: NotificationTrigger, result: 'sent' | 'failed') => void;
  readonly onRetry: () => void;
}

const DELIVERIES_KEPT = 20;
/** The CRD's maxItems of status.environments. */
const RECORDS_KEPT = 256;

export class NotificationWorker {
  #resource: NotificationResource;
  #status: NotificationStatus;
  readonly #options: WorkerOptions;
  readonly #pending = new Set<string>();
  readonly #bucket: TokenBucket;
  #running: Promise<void> | undefined;
  #stopped = false;
  #checkPending = false;
  #unusable = false;

  constructor(resource: NotificationResource, options: WorkerOptions) {
    this.#resource = resource;
    // What the status says was handled is the memory of every earlier run of the operator.
    this.#status = structuredClone(resource.status ?? {});
    this.#options = options;
    this.#bucket = new TokenBucket(options.rateLimit);
  }

  get namespace(): string {
    return this.#resource.metadata.namespace;
  }

  get spec(): NotificationSpec {
    return this.#resource.spec;
  }

  /** A newer version of the Notification (its spec; the status stays this worker's own). */
  update(resource: NotificationResource): void {
    this.#resource = resource;
  }

  /** Looks at these Environments (soon, after what is queued); `check`: the provider and templates first. */
  enqueue(names: Iterable<string>, check = false): void {
    for (const name of names) this.#pending.add(name);
    if (check) this.#checkPending = true;
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  /** Whether the last check found the provider unusable (the controller checks again later). */
  get unusable(): boolean {
    return this.#unusable;
  }

  /** No new attempt; the delivery in progress is left unrecorded (a restart sends it). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  async #drain(): Promise<void> {
    while ((this.#checkPending || this.#pending.size > 0) && !this.#stopped) {
      const [name] = this.#checkPending ? [undefined] : this.#pending;
      if (name === undefined) this.#checkPending = false;
      else this.#pending.delete(name);
      try {
        if (name === undefined) await this.#report(await this.#checkProvider());
        else await this.#look(name);
      } catch (err) {
        this.#options.log.error('notification failed; it is looked at again at the next change', {
          notification: this.#id,
          environment: name,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  get #id(): string {
    return `${this.#resource.metadata.namespace}/${this.#resource.metadata.name}`;
  }

  /** The provider as the spec and its Secret say now, with the condition that tells it. */
  async #checkProvider(): Promise<ProviderResolution> {
    const { provider } = this.#resource.spec;
    let secret: Record<string, string> | undefined;
    if (provider.secretRef) {
      secret = await this.#options.store.readSecret(this.namespace, provider.secretRef.name);
      if (secret === undefined) {
        const message = `Secret "${provider.secretRef.name}" named by spec.provider.secretRef does not exist`;
        return { ok: false, reason: Reason.SecretNotFound, message };
      }
    }
    return resolveProvider(provider, secret);
  }

  /** Sets Ready from the provider check and the templates (and writes it when it changed). */
  async #report(resolution: ProviderResolution, failure?: string): Promise<void> {
    this.#unusable = !resolution.ok;
    const templateError = this.#templateError();
    const update = !resolution.ok
      ? { status: 'False' as const, reason: resolution.reason, message: resolution.message }
      : failure
        ? { status: 'False' as const, reason: Reason.DeliveryFailed, message: failure }
        : templateError
          ? { status: 'False' as const, reason: Reason.TemplateInvalid, message: templateError }
          : { status: 'True' as const, reason: Reason.Succeeded, message: `delivering to ${resolution.provider.type}` };
    const conditions = setCondition(
      this.#status.conditions,
      { type: ConditionType.Ready, ...update },
      { now: new Date(this.#options.now()).toISOString(), generation: this.#resource.metadata.generation },
    );
    await this.#write({ ...this.#status, conditions, observedGeneration: this.#resource.metadata.generation });
  }

  /** A template that does not parse (the CRD's rule refuses them; an older CRD may not). */
  #templateError(): string | undefined {
    for (const [trigger, text] of Object.entries(this.#resource.spec.templates ?? {})) {
      const parsed = parseTemplate(text);
      if (!parsed.ok) return `spec.templates.${trigger}: ${parsed.error}; its default message is used`;
    }
    return undefined;
  }

  async #look(name: string): Promise<void> {
    const env = this.#options.environment(this.namespace, name);
    if (!env) return;
    const spec = this.#resource.spec;
    const triggers = new Set<NotificationTrigger>(spec.suspend ? [] : (spec.triggers ?? NOTIFICATION_TRIGGERS));
    const view: EnvironmentView = {
      namespace: env.metadata.namespace,
      name,
      automated: env.spec.sync?.automated !== undefined,
      autoSyncPaused: env.metadata.annotations?.[ANNOTATION_AUTO_SYNC_PAUSED],
      status: env.status,
      sourceFailure: fetchFailure(this.#options.gitRepository(this.namespace, env.spec.sourceRef.name)),
    };
    const records = this.#status.environments ?? [];
    const plan = planNotifications(
      view,
      records.find((r) => r.name === name),
      triggers,
    );
    let record = plan.record;
    await this.#write({ ...this.#status, environments: withRecord(records, record) });
    if (plan.send.length === 0) return;
    const resolution = await this.#checkProvider();
    if (!resolution.ok) {
      await this.#report(resolution);
      return;
    }
    let failure: string | undefined;
    for (const event of plan.send) {
      const handled = await this.#send(resolution, event);
      if (!handled) return;
      record = markHandled(record, event);
      failure = handled.result === 'Failed' ? `${event.trigger} of ${name}: ${handled.message}` : undefined;
      const deliveries = [handled, ...(this.#status.deliveries ?? [])].slice(0, DELIVERIES_KEPT);
      await this.#write({
        ...this.#status,
        environments: withRecord(this.#status.environments ?? [], record),
        deliveries,
      });
    }
    await this.#report(resolution, failure);
  }

  /** Delivers one event; undefined when the worker stopped first (not handled). */
  async #send(resolution: ProviderResolution & { ok: true }, event: TriggerEvent): Promise<Delivery | undefined> {
    const { provider } = resolution;
    const wait = this.#bucket.take(this.#options.now());
    if (wait > 0) await this.#options.sleep(wait);
    if (this.#stopped) return undefined;
    const variables = messageVariables(event, this.namespace, this.#options.uiUrl);
    const { text } = composeMessage(this.#resource.spec.templates?.[event.trigger], variables);
    const outcome = await deliver(provider.type, planDelivery(provider, text, variables), {
      ...this.#options,
      stopped: () => this.#stopped,
      onRetry: (delayMs, why) => {
        this.#options.onRetry();
        this.#options.log.info('notification retried', { notification: this.#id, key: event.key, delayMs, why });
      },
    });
    if (outcome.interrupted) return undefined;
    const result = outcome.delivered ? 'sent' : 'failed';
    this.#options.onDelivery(event.trigger, result);
    const fields = { notification: this.#id, key: event.key, attempts: outcome.attempts, provider: provider.type };
    if (outcome.delivered) this.#options.log.info('notification sent', fields);
    else this.#options.log.warn('notification given up', { ...fields, why: outcome.why });
    const delivery: Delivery = {
      key: event.key,
      environment: event.environment,
      trigger: event.trigger,
      result: outcome.delivered ? 'Sent' : 'Failed',
      attempts: outcome.attempts,
      at: new Date(this.#options.now()).toISOString(),
      message: outcome.delivered ? undefined : outcome.why?.slice(0, 1024),
    };
    return delivery;
  }

  /** Writes the status when it changed; a deleted Notification stops the worker. */
  async #write(status: NotificationStatus): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(this.#status)) return;
    this.#status = status;
    const { namespace, name } = this.#resource.metadata;
    if (!(await this.#options.store.writeStatus(namespace, name, status))) this.#stopped = true;
  }
}

/** The GitRepository's FetchFailed condition while it is True. */
function fetchFailure(repo: GitRepositoryResource | undefined): SourceFailure | undefined {
  const failed = findCondition(repo?.status?.conditions, ConditionType.FetchFailed);
  if (!repo || failed?.status !== 'True') return undefined;
  const ready = findCondition(repo.status?.conditions, ConditionType.Ready);
  return {
    repository: repo.metadata.name,
    reason: ready?.status === 'False' ? ready.reason : failed.reason,
    message: failed.message,
    since: failed.lastTransitionTime,
  };
}

function withRecord(records: readonly WatchedEnvironment[], record: WatchedEnvironment): WatchedEnvironment[] {
  return [record, ...records.filter((r) => r.name !== record.name)]
    .slice(0, RECORDS_KEPT)
    .sort((a, b) => a.name.localeCompare(b.name));
}
