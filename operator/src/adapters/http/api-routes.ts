// The REST API under /api/v1: Environments (list, get, resources, history, diff) and the
// actions a person takes (sync, rollback). Callers authenticate with a Kubernetes bearer
// token and RBAC decides (verbs get, list, sync, rollback on keelson.dev environments).
// Actions write the same annotations as the CLI, with the authenticated user as initiator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { planRollback, syncRequestAnnotations } from '../../core/environment/sync-request.ts';
import { ANNOTATION_SYNC_REQUESTED_AT } from '../../core/keys.ts';
import type { Logger } from '../../core/logger.ts';
import { redactObject } from '../../core/redact.ts';
import { NotFoundError, type KeelsonResources } from '../kubernetes/keelson-resources.ts';
import { readBody, sendJson, sendText, type HttpServer } from './http-server.ts';
import { AuthError, type Caller, type KubernetesAuth } from './kubernetes-auth.ts';
import { authenticateRequest, type SessionStore } from '../ui/session.ts';

export interface ApiOptions {
  readonly resources: KeelsonResources;
  readonly auth: KubernetesAuth;
  readonly log: Logger;
  /** The unified diff (secrets masked) of an Environment, from the operator's last comparison. */
  readonly diff?: (namespace: string, name: string) => Promise<string | undefined>;
  readonly clock?: () => Date;
  /** The web UI's sessions: a request may authenticate with their cookie instead of a bearer token. */
  readonly sessions?: SessionStore;
  /** More paths under an Environment or GitRepository, served by another module (the UI's). */
  readonly subResources?: readonly SubResource[];
}

/** `<method> /api/v1/namespaces/<namespace>/<plural>/<name>/<sub>`, answered by `handle`. */
export interface SubResource {
  readonly method: 'GET' | 'POST';
  readonly plural: 'environments' | 'gitrepositories';
  readonly sub: string;
  readonly handle: (
    req: IncomingMessage,
    res: ServerResponse,
    target: { readonly namespace: string; readonly name: string },
    caller: Caller,
  ) => Promise<void>;
}

const SUB_PATH = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/(environments|gitrepositories)\/([a-z0-9.-]+)\/([a-z]+)$/;

const ENV_PATH =
  /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/environments\/([a-z0-9.-]+)(?:\/(resources|history|diff|sync|rollback))?$/;

export function mountApi(server: HttpServer, options: ApiOptions): void {
  const handle =
    (fn: (req: IncomingMessage, res: ServerResponse, url: URL, caller: Caller) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse, url: URL) => {
      try {
        const caller = await authenticateRequest(req, options.auth, options.sessions);
        const m = SUB_PATH.exec(url.pathname);
        const sub =
          m && options.subResources?.find((s) => s.method === req.method && s.plural === m[2] && s.sub === m[4]);
        if (m && sub) return await sub.handle(req, res, { namespace: m[1]!, name: m[3]! }, caller);
        await fn(req, res, url, caller);
      } catch (err) {
        if (err instanceof AuthError) return sendJson(res, err.status, { error: err.message });
        if (err instanceof NotFoundError) return sendJson(res, 404, { error: err.message });
        if (err instanceof RequestError) return sendJson(res, err.status, { error: err.message });
        throw err;
      }
    };

  server.route(
    'GET',
    '/api/v1/environments',
    handle(async (_req, res, url, caller) => {
      const namespace = url.searchParams.get('namespace') ?? undefined;
      await options.auth.authorize(caller, { verb: 'list', namespace });
      const items = await options.resources.listEnvironments(namespace);
      sendJson(res, 200, redactObject({ items }));
    }),
  );

  server.route(
    'GET',
    '/api/v1/namespaces/*',
    handle(async (_req, res, url, caller) => {
      const [namespace, name, sub] = matchEnvironment(url);
      await options.auth.authorize(caller, { verb: 'get', namespace, name });
      if (sub === 'diff') {
        const diff = options.diff ? await options.diff(namespace, name) : undefined;
        if (diff === undefined)
          throw new RequestError(503, `no comparison of ${namespace}/${name} yet; try again after its next reconcile`);
        return sendText(res, 200, diff, 'text/x-diff; charset=utf-8');
      }
      const env = await options.resources.getEnvironment(namespace, name);
      const body =
        sub === 'resources'
          ? { items: env.status?.resources ?? [] }
          : sub === 'history'
            ? { items: env.status?.history ?? [] }
            : env;
      sendJson(res, 200, redactObject(body));
    }),
  );

  server.route(
    'POST',
    '/api/v1/namespaces/*',
    handle(async (req, res, url, caller) => {
      const [namespace, name, sub] = matchEnvironment(url);
      if (sub !== 'sync' && sub !== 'rollback')
        throw new RequestError(405, `POST is for /sync and /rollback, not ${url.pathname}`);
      await options.auth.authorize(caller, { verb: sub, namespace, name });
      const body = await readJson(req);
      const env = await options.resources.getEnvironment(namespace, name);
      const now = (options.clock?.() ?? new Date()).toISOString();
      let annotations: Record<string, string>;
      let commit: string | undefined;
      if (sub === 'sync') {
        if (
          body.revision !== undefined &&
          (typeof body.revision !== 'string' || !/^[0-9a-f]{40}$/.test(body.revision))
        ) {
          throw new RequestError(400, 'revision must be a full commit id (40 hex digits)');
        }
        if (body.prune !== undefined && typeof body.prune !== 'boolean')
          throw new RequestError(400, 'prune must be true or false');
        commit = body.revision as string | undefined;
        const prune = body.prune === false ? false : undefined;
        annotations = syncRequestAnnotations({ token: now, commit, prune }, caller.username);
      } else {
        if (body.id !== undefined && !Number.isInteger(body.id))
          throw new RequestError(400, 'id must be a whole number');
        try {
          const plan = planRollback(env.status?.history ?? [], body.id as number | undefined, caller.username, now);
          ({ annotations } = plan);
          commit = plan.request.commit;
        } catch (err) {
          throw new RequestError(409, (err as Error).message);
        }
      }
      const token = annotations[ANNOTATION_SYNC_REQUESTED_AT]!;
      await options.resources.patchEnvironment(namespace, name, { metadata: { annotations } });
      options.log.info(`${sub} requested through the API`, {
        environment: `${namespace}/${name}`,
        user: caller.username,
        commit,
      });
      sendJson(res, 202, { requested: sub, requestedAt: now, token, commit });
    }),
  );
}

export class RequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function matchEnvironment(url: URL): [string, string, string | undefined] {
  const m = ENV_PATH.exec(url.pathname);
  if (!m) throw new RequestError(404, `no such path: ${url.pathname}`);
  return [m[1]!, m[2]!, m[3]];
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req, 64 * 1024);
  if (raw.length === 0) return {};
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new RequestError(400, 'the body must be a JSON object');
}
