// Runs a resource action (core/actions) on one object an Environment manages, and records it
// as an Event on the Environment (ActionRun, or ActionFailed when the API server refuses).
// The caller has authorised it (verb `action` on the Environment) beforehand.
//
// The change goes out as a JSON merge patch with its own field manager (`keelson-action`),
// not as a server-side apply with Keelson's (`keelson`): the fields it sets and the deploy
// repo does not (the restart annotation; spec.replicas of a Deployment without replicas)
// are then owned by `keelson-action`, and the next comparison (a dry-run apply as
// `keelson`) leaves them as they are, so self-heal does not undo the action. A field the
// deploy repo does set (spec.replicas: 2) is Keelson's: a scale of it is drift, and
// self-heal puts it back, as Argo CD does.
//
// A retry writes nothing on the hook: it asks for a new sync of the failed operation's
// commit (the keelson.dev/sync-requested-at annotation, as `keelson sync --revision`).
//
// The operator sends the patch over the Environment's own transport (impersonating its
// spec.serviceAccountName); the CLI over the user's kubeconfig.
import type { EnvironmentResource } from './keelson-resources.ts';
import { EventReason } from '../../api/v1alpha1/conditions.ts';
import { ACTION_FIELD_MANAGER, actionPatch } from '../../core/actions/catalog.ts';
import { findTarget, planRetry, type ActionRequest, type ActionTarget } from '../../core/actions/request.ts';
import { syncRequestAnnotations } from '../../core/environment/sync-request.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { describeKey } from '../../core/manifest.ts';
import { KubeApiError } from './api-error.ts';
import type { ResourceMap } from './resource-map.ts';
import type { RestTransport } from './rest-transport.ts';

export interface ActionConnection {
  readonly transport: Pick<RestTransport, 'request'>;
  readonly resourceMap: Pick<ResourceMap, 'request'>;
}

export interface ResourceActionsOptions {
  /** The transport and discovery to act on an Environment's objects with. */
  readonly connection: (env: EnvironmentResource) => Promise<ActionConnection>;
  /** A merge patch of the Environment (a retry's sync request). */
  readonly patchEnvironment: (
    namespace: string,
    name: string,
    patch: { metadata: { annotations: Record<string, string> } },
  ) => Promise<unknown>;
  /** Records an Event on the Environment; a failure is logged, never the action's. */
  readonly record: (
    env: EnvironmentResource,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ) => Promise<void>;
  readonly clock?: () => Date;
  readonly log?: Logger;
}

/** What an action did, as the API answers it. */
export interface ActionOutcome {
  readonly action: ActionRequest['action'];
  readonly target: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
  };
  /** The merge patch written on the object (absent for a retry). */
  readonly patch?: Record<string, unknown>;
  /** A retry: the sync it asked for. */
  readonly sync?: { readonly token: string; readonly commit: string; readonly prune: boolean };
  readonly message: string;
}

/** The API server refused the action (RBAC of the acting identity, a gone object, validation). */
export class ActionFailedError extends Error {
  /** The API server's status code (403, 404, 409, 422, …); 502 when none came. */
  readonly status: number;
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ActionFailedError';
    this.status = status;
  }
}

export class ResourceActions {
  readonly #options: ResourceActionsOptions;

  constructor(options: ResourceActionsOptions) {
    this.#options = options;
  }

  /** Runs `request` on `env`'s object as `user`; throws ActionError (bad request) or ActionFailedError. */
  async run(env: EnvironmentResource, request: ActionRequest, user: string): Promise<ActionOutcome> {
    const environment = `${env.metadata.namespace}/${env.metadata.name}`;
    const now = this.#options.clock?.() ?? new Date();
    const target = findTarget(env.status, request, environment);
    const what = `${request.action} of ${describeKey(target.key)}`;
    try {
      const outcome =
        request.action === 'retry'
          ? await this.#retry(env, request, user, now)
          : await this.#patch(env, request, target, now);
      const message = `${what}${outcome.detail} by ${user}`;
      await this.#event(env, 'Normal', EventReason.ActionRun, message);
      (this.#options.log ?? silentLogger).info('resource action', { environment, action: request.action, user });
      return { action: request.action, target: addressOf(target), patch: outcome.patch, sync: outcome.sync, message };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      await this.#event(env, 'Warning', EventReason.ActionFailed, `${what} by ${user} failed: ${reason}`);
      const status = err instanceof KubeApiError ? err.status : 502;
      throw new ActionFailedError(`${what} failed: ${reason}`, status, { cause: err });
    }
  }

  async #patch(
    env: EnvironmentResource,
    request: ActionRequest,
    target: ActionTarget,
    now: Date,
  ): Promise<{ detail: string; patch: Record<string, unknown>; sync?: undefined }> {
    const action = request.action as Exclude<ActionRequest['action'], 'retry'>;
    const patch = actionPatch(action, { now, replicas: request.replicas });
    const { transport, resourceMap } = await this.#options.connection(env);
    const address = { apiVersion: target.apiVersion, key: target.key };
    await resourceMap.request(address, (path) =>
      transport.request({
        method: 'PATCH',
        path,
        body: patch,
        contentType: 'application/merge-patch+json',
        query: { fieldManager: ACTION_FIELD_MANAGER },
      }),
    );
    return { detail: action === 'scale' ? ` to ${request.replicas} replicas` : '', patch };
  }

  async #retry(
    env: EnvironmentResource,
    request: ActionRequest,
    user: string,
    now: Date,
  ): Promise<{ detail: string; patch?: undefined; sync: NonNullable<ActionOutcome['sync']> }> {
    const { namespace, name } = env.metadata;
    const plan = planRetry(env.status, request, `${namespace}/${name}`);
    const token = now.toISOString();
    const annotations = syncRequestAnnotations(
      { token, commit: plan.commit, prune: plan.prune ? undefined : false },
      user,
    );
    await this.#options.patchEnvironment(namespace, name, { metadata: { annotations } });
    return {
      detail: ` (operation ${plan.operationId}): a sync of ${plan.commit}${plan.prune ? '' : ' without prune'} requested`,
      sync: { token, commit: plan.commit, prune: plan.prune },
    };
  }

  async #event(env: EnvironmentResource, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    try {
      await this.#options.record(env, type, reason, message);
    } catch (err) {
      (this.#options.log ?? silentLogger).warn('could not record the Event of a resource action', {
        environment: `${env.metadata.namespace}/${env.metadata.name}`,
        reason,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

function addressOf(target: ActionTarget): ActionOutcome['target'] {
  return {
    apiVersion: target.apiVersion,
    kind: target.key.kind,
    namespace: target.key.namespace,
    name: target.key.name,
  };
}
