// The web UI on the API server (ADR 17, the contract in adr/0017-web-ui.md): its files under
// /ui/, the session (login with a bearer token or single sign-on, kept server-side), the
// overview (one page of rows from a watch of Environments and GitRepositories, and its live
// stream), and the paths under an Environment the page uses, which mountApi serves with its
// own authentication.
// The watch is the UI's own: the API server runs on every replica, leader or not.
import type { KubeConnection } from '../kubernetes/kubeconfig.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EnvironmentResource, GitRepositoryResource } from '../kubernetes/keelson-resources.ts';
import type { Logger } from '../../core/logger.ts';
import { RequestError, type SubResource } from '../http/api-routes.ts';
import { readBody, sendJson, type HttpServer } from '../http/http-server.ts';
import { AuthError, type Caller, type KubernetesAuth } from '../http/kubernetes-auth.ts';
import { NotFoundError, type KeelsonResources } from '../kubernetes/keelson-resources.ts';
import { LazyRestTransport } from '../kubernetes/rest-transport.ts';
import { environmentSubResources } from './environment-routes.ts';
import { hookLogsSubResource, type ClusterReader } from './hook-logs.ts';
import { ownedObjectsSubResource } from './owned-objects.ts';
import type { HealthAssessor } from '../../core/health/index.ts';
import { EventStreams } from './event-stream.ts';
import { GitRepositoryIndex } from './git-repositories.ts';
import { gitRepositoryRoutes } from './git-repository-routes.ts';
import { NamespaceAccess } from './namespace-access.ts';
import { matches, OverviewIndex, pageOf, parseQuery, QueryError, type OverviewQuery } from './overview.ts';
import {
  authenticateRequest,
  hasCsrf,
  isTls,
  parseCookies,
  SESSION_COOKIE,
  sessionCookie,
  SessionStore,
} from './session.ts';
import { mountSso, type SsoOptions } from './sso-routes.ts';
import { SECURITY_HEADERS, StaticFiles } from './static-files.ts';

export interface UiOptions {
  readonly kubeConfig: KubeConnection;
  /**
   * Starts the UI's own watch of Environments and GitRepositories (main-watches.ts'
   * watchKeelsonResources over the operator's namespaces); resolves once they are listed.
   */
  readonly watch: (handlers: {
    readonly onEnvironment: (env: EnvironmentResource, deleted: boolean) => void;
    readonly onGitRepository: (repo: GitRepositoryResource, deleted: boolean) => void;
  }) => Promise<{ stop(): Promise<void> }>;
  readonly resources: KeelsonResources;
  readonly auth: KubernetesAuth;
  readonly log: Logger;
  /** The built front end (operator/ui/dist); when it has no index.html, /ui/ answers 503. */
  readonly distDir: string;
  readonly clock?: () => Date;
  /** The API server an Environment's objects are on (its resource tree, hook logs). @default the operator's own */
  readonly listerFor?: (env: EnvironmentResource) => Promise<ClusterReader>;
  /** The health of the objects of the resource tree (the users' rules first). @default the built-in rules */
  readonly assessHealth?: HealthAssessor;
  /** Single sign-on ("Log in with SSO", sso-routes.ts). @default none: token login only */
  readonly sso?: SsoOptions;
  /** Masks the secret values the operator knows of in text it answers (hook logs): SecretRedactor.redactText. */
  readonly redact: (text: string) => string;
}

export interface MountedUi {
  /** For mountApi: the cookie authentication of /api/v1. */
  readonly sessions: SessionStore;
  /** For mountApi: events, stream, access, tree, hooklogs, suspend, resume, refresh (Environments, GitRepositories). */
  readonly subResources: readonly SubResource[];
  readonly index: OverviewIndex;
  /** Resolves once the watches listed (or failed to: logged). */
  readonly ready: Promise<void>;
  /** Ends the open streams and the watches (before the HTTP server stops: a stream would hold it). */
  close(): Promise<void>;
}

export function mountUi(server: HttpServer, options: UiOptions): MountedUi {
  const { auth, log } = options;
  const sessions = new SessionStore();
  const index = new OverviewIndex();
  const repositories = new GitRepositoryIndex();
  const streams = new EventStreams();
  const access = new NamespaceAccess({ authorize: (caller, request) => auth.authorize(caller, request) });
  const files = new StaticFiles(options.distDir);
  const rest = new LazyRestTransport(options.kubeConfig, { maxSockets: 2 });
  const sweep = setInterval(() => sessions.sweep(), 10 * 60_000);
  sweep.unref();

  let stopped = false;
  const watches = options.watch({
    onEnvironment: (env, deleted) => index.onEnvironment(env, deleted),
    onGitRepository: (repo, deleted) => {
      index.onGitRepository(repo, deleted);
      repositories.onGitRepository(repo, deleted);
    },
  });
  const ready = watches.then(
    () => index.markListed(),
    (err: unknown) => {
      if (!stopped) log.error('the UI could not list Environments; the overview stays empty', { error: String(err) });
    },
  );

  const guard =
    (fn: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse, url: URL) => {
      try {
        await fn(req, res, url);
      } catch (err) {
        if (err instanceof AuthError || err instanceof RequestError)
          return sendJson(res, err.status, { error: err.message });
        if (err instanceof NotFoundError) return sendJson(res, 404, { error: err.message });
        if (err instanceof QueryError) return sendJson(res, 400, { error: err.message });
        throw err;
      }
    };
  const api = (fn: (req: IncomingMessage, res: ServerResponse, url: URL, caller: Caller) => Promise<void>) =>
    guard(async (req, res, url) => fn(req, res, url, await authenticateRequest(req, auth, sessions)));

  // Session.
  const sessionBody = (res: ServerResponse, status: number, body: unknown, cookie?: string) => {
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      ...SECURITY_HEADERS,
      'cache-control': 'no-store',
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    };
    if (cookie !== undefined) headers['set-cookie'] = cookie;
    res.writeHead(status, headers);
    res.end(text);
  };
  server.route(
    'POST',
    '/ui/api/session',
    guard(async (req, res) => {
      // JSON only: a cross-site form can post text/plain or a form encoding, never this.
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
        throw new RequestError(415, 'the login body must be JSON (Content-Type: application/json)');
      const raw = await readBody(req, 64 * 1024);
      let token: unknown;
      try {
        token = (JSON.parse(raw.toString('utf8')) as { token?: unknown } | null)?.token;
      } catch {
        throw new RequestError(400, 'the body must be a JSON object {"token": "<bearer token>"}');
      }
      if (typeof token !== 'string' || !/^\S+$/.test(token.trim()))
        throw new RequestError(400, 'the body must be a JSON object {"token": "<bearer token>"}');
      const caller = await auth.authenticate(`Bearer ${token.trim()}`);
      const session = sessions.create(token.trim(), caller);
      log.info('UI login', { user: caller.username });
      const cookie = sessionCookie(session.id, { maxAgeSeconds: sessions.ttlMs / 1000, secure: isTls(req) });
      sessionBody(res, 200, { user: caller.username, groups: caller.groups, csrf: session.csrf }, cookie);
    }),
  );
  server.route(
    'GET',
    '/ui/api/session',
    guard(async (req, res) => {
      const session = sessions.fromRequest(req);
      if (!session) return sessionBody(res, 401, { error: 'not logged in' });
      // The token may have expired or been revoked since the login.
      const caller = await authenticateRequest(req, auth, sessions);
      sessionBody(res, 200, { user: caller.username, groups: caller.groups, csrf: session.csrf });
    }),
  );
  server.route(
    'DELETE',
    '/ui/api/session',
    guard(async (req, res) => {
      const session = sessions.fromRequest(req);
      if (session && !hasCsrf(req, session)) throw new AuthError(403, 'missing or wrong X-Keelson-CSRF header');
      sessions.delete(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
      res.writeHead(204, {
        ...SECURITY_HEADERS,
        'set-cookie': sessionCookie('', { maxAgeSeconds: 0, secure: isTls(req) }),
      });
      res.end();
    }),
  );

  // Single sign-on, and whether the login page offers it.
  if (options.sso) mountSso(server, { sso: options.sso, auth, sessions, log });
  server.route('GET', '/ui/api/login-options', (_req, res) =>
    sessionBody(res, 200, { sso: options.sso !== undefined }),
  );

  // Overview.
  const visiblePage = async (caller: Caller, query: OverviewQuery) => {
    if (!index.listed) throw new RequestError(503, 'the overview is still loading the Environments; try again shortly');
    const namespaces = new Set<string>();
    for (const row of index.rows()) namespaces.add(row.namespace);
    const allowed = await access.allowed(caller, namespaces);
    return pageOf(index.rows(), query, (ns) => allowed.has(ns));
  };
  server.route(
    'GET',
    '/api/v1/overview',
    api(async (_req, res, url, caller) => sendJson(res, 200, await visiblePage(caller, parseQuery(url.searchParams)))),
  );
  server.route(
    'GET',
    '/api/v1/overview/stream',
    api(async (_req, res, url, caller) => {
      const query = parseQuery(url.searchParams);
      const first = await visiblePage(caller, query);
      const stream = streams.open(res);
      stream.send('reset', first);
      // One change after the other, in order, each checked against the (cached) access.
      let queue = Promise.resolve();
      stream.onClose(
        index.subscribe((change) => {
          queue = queue.then(async () => {
            if (stream.closed || !(await access.may(caller, change.namespace))) return;
            const { namespace, name } = change;
            if (change.after && matches(change.after, query)) stream.send('upsert', change.after);
            else if (change.before && matches(change.before, query)) stream.send('delete', { namespace, name });
          });
          queue = queue.catch((err: unknown) => {
            log.warn('an overview stream ended: its access could not be checked', { error: String(err) });
            stream.close();
          });
        }),
      );
    }),
  );

  // GitRepositories.
  const repoRoutes = gitRepositoryRoutes({
    resources: options.resources,
    auth,
    repositories,
    index,
    environmentAccess: access,
    streams,
    log,
  });
  server.route(
    'GET',
    '/api/v1/gitrepositories',
    api(async (_req, res, url, caller) => {
      if (!index.listed) throw new RequestError(503, 'the UI is still loading the GitRepositories; try again shortly');
      sendJson(res, 200, await repoRoutes.list(caller, url.searchParams.get('namespace') || undefined));
    }),
  );
  server.route(
    'GET',
    '/api/v1/gitrepositories/stream',
    api(async (_req, res, url, caller) => {
      if (!index.listed) throw new RequestError(503, 'the UI is still loading the GitRepositories; try again shortly');
      await repoRoutes.streamList(res, caller, url.searchParams.get('namespace') || undefined);
    }),
  );

  // Files.
  const notBuilt = (res: ServerResponse) => {
    const text = JSON.stringify({ error: 'the UI is not built: run make ui' });
    res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(text);
  };
  const redirect = (res: ServerResponse) => void res.writeHead(302, { location: '/ui/', ...SECURITY_HEADERS }).end();
  server.route('GET', '/', (_req, res) => redirect(res));
  server.route('GET', '/ui', (_req, res) => redirect(res));
  for (const method of ['GET', 'HEAD']) {
    server.route(method, '/ui/*', async (req, res, url) => {
      if (!(await files.serve(req, res, url))) notBuilt(res);
    });
  }

  const subResources = [
    ...environmentSubResources({ resources: options.resources, auth, index, streams, rest, log, clock: options.clock }),
    ownedObjectsSubResource({
      auth,
      resources: options.resources,
      index,
      listerFor: options.listerFor ?? (async () => rest),
      assess: options.assessHealth,
    }),
    hookLogsSubResource({
      auth,
      resources: options.resources,
      index,
      readerFor: options.listerFor ?? (async () => rest),
      redact: options.redact,
    }),
    ...repoRoutes.subResources,
  ];
  return {
    sessions,
    subResources,
    index,
    ready,
    close: async () => {
      stopped = true;
      clearInterval(sweep);
      streams.closeAll();
      await watches.then(
        (w) => w.stop(),
        () => undefined,
      );
      rest.close();
    },
  };
}
