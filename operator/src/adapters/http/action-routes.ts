// `POST /api/v1/namespaces/<ns>/environments/<name>/actions`: a resource action (restart,
// scale, suspend, resume, retry) on one object the Environment manages. A SubResource of
// mountApi, so a bearer token and the UI's session cookie (with X-Keelson-CSRF) both work.
// RBAC decides with verb `action` on the Environment; the action then runs with the
// Environment's identity (the operator's, or its spec.serviceAccountName).
//
//   body   {"action":"scale","kind":"Deployment","name":"web","namespace"?:"shop","group"?:"apps","replicas":3}
//   200    {"action","target":{apiVersion,kind,namespace,name},"patch"?,"sync"?,"message"}
//   400    bad body, or an action that does not apply to the kind (naming the kinds it does)
//   403    the caller may not `action` the Environment
//   404    the Environment, or an object it does not manage
//   409    retry of what is not a failed hook of the last, failed operation
import { ACTION_ERROR_STATUS, ActionError, parseActionRequest } from '../../core/actions/request.ts';
import type { Logger } from '../../core/logger.ts';
import type { KeelsonResources } from '../kubernetes/keelson-resources.ts';
import { ActionFailedError, type ResourceActions } from '../kubernetes/resource-actions.ts';
import { readJson, RequestError, type SubResource } from './api-routes.ts';
import { sendJson } from './http-server.ts';
import type { KubernetesAuth } from './kubernetes-auth.ts';

export interface ActionRoutesOptions {
  readonly resources: Pick<KeelsonResources, 'getEnvironment'>;
  readonly auth: Pick<KubernetesAuth, 'authorize'>;
  readonly actions: ResourceActions;
  readonly log: Logger;
}

export function actionSubResource(options: ActionRoutesOptions): SubResource {
  return {
    method: 'POST',
    plural: 'environments',
    sub: 'actions',
    handle: async (req, res, { namespace, name }, caller) => {
      await options.auth.authorize(caller, { verb: 'action', namespace, name });
      const body = await readJson(req);
      try {
        const request = parseActionRequest(body);
        const env = await options.resources.getEnvironment(namespace, name);
        const outcome = await options.actions.run(env, request, caller.username);
        sendJson(res, 200, outcome);
      } catch (err) {
        if (err instanceof ActionError) throw new RequestError(ACTION_ERROR_STATUS[err.code], err.message);
        if (err instanceof ActionFailedError) {
          options.log.warn('a resource action failed', { environment: `${namespace}/${name}`, status: err.status });
          throw new RequestError(err.status >= 400 && err.status < 600 ? err.status : 502, err.message);
        }
        throw err;
      }
    },
  };
}
