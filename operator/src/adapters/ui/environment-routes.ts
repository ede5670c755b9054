// The paths under one Environment (and GitRepository) that the web UI adds to the REST API:
// its Kubernetes Events, a live stream of it, what the caller may do with it, suspend and
// resume, and a refresh of its source. They are SubResources of mountApi, so they share its
// authentication (bearer token or session cookie with CSRF) and its error answers.
import { environmentDefinition, gitRepositoryDefinition } from '../../api/v1alpha1/index.ts';
import { ANNOTATION_AUTO_SYNC_PAUSED, ANNOTATION_REFRESH_REQUESTED_AT } from '../../core/keys.ts';
import type { Logger } from '../../core/logger.ts';
import { redactObject } from '../../core/redact.ts';
import type { SubResource } from '../http/api-routes.ts';
import { sendJson } from '../http/http-server.ts';
import { type AccessRequest, type Caller, type KubernetesAuth } from '../http/kubernetes-auth.ts';
import type { EnvironmentResource, KeelsonResources } from '../kubernetes/keelson-resources.ts';
import type { LazyRestTransport } from '../kubernetes/rest-transport.ts';
import type { EventStreams } from './event-stream.ts';
import { isAllowed } from './namespace-access.ts';
import type { OverviewIndex } from './overview.ts';

export interface EnvironmentRoutesOptions {
  readonly resources: KeelsonResources;
  readonly auth: Pick<KubernetesAuth, 'authorize'>;
  readonly index: OverviewIndex;
  readonly streams: EventStreams;
  /** Reads the Events of the Environment's namespace. */
  readonly rest: LazyRestTransport;
  readonly log: Logger;
  readonly clock?: () => Date;
}

export interface EventItem {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly lastTimestamp: string;
}

interface KubeEvent {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
  readonly firstTimestamp?: string;
  readonly series?: { readonly count?: number; readonly lastObservedTime?: string };
  readonly involvedObject?: { readonly apiVersion?: string };
  readonly metadata?: { readonly creationTimestamp?: string };
}

/** The Events of one Environment, newest first (at most 200). */
export function eventItems(events: readonly KubeEvent[]): EventItem[] {
  return events
    .filter((e) => !e.involvedObject?.apiVersion || e.involvedObject.apiVersion.startsWith(`${GROUP_PREFIX}/`))
    .map((e) => ({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: e.message ?? '',
      count: e.series?.count ?? e.count ?? 1,
      lastTimestamp:
        e.series?.lastObservedTime ??
        e.lastTimestamp ??
        e.eventTime ??
        e.firstTimestamp ??
        e.metadata?.creationTimestamp ??
        '',
    }))
    .sort((a, b) => (a.lastTimestamp < b.lastTimestamp ? 1 : a.lastTimestamp > b.lastTimestamp ? -1 : 0))
    .slice(0, 200);
}

const GROUP_PREFIX = environmentDefinition.group;

export function environmentSubResources(options: EnvironmentRoutesOptions): SubResource[] {
  const { auth, resources } = options;
  const now = () => (options.clock?.() ?? new Date()).toISOString();
  /** The Environment from the watch cache, or from the API server (a NotFoundError when absent). */
  const environment = async (namespace: string, name: string): Promise<EnvironmentResource> =>
    options.index.environment(namespace, name) ?? (await resources.getEnvironment(namespace, name));
  const may = (caller: Caller, request: AccessRequest): Promise<boolean> =>
    isAllowed((c, r) => auth.authorize(c, r), caller, request);

  return [
    {
      method: 'GET',
      plural: 'environments',
      sub: 'events',
      handle: async (_req, res, { namespace, name }, caller) => {
        await auth.authorize(caller, { verb: 'get', namespace, name });
        await environment(namespace, name);
        const events = await options.rest.list<KubeEvent>(
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
          {
            fieldSelector: `involvedObject.kind=${environmentDefinition.kind},involvedObject.name=${name}`,
          },
        );
        sendJson(res, 200, { items: eventItems(events) });
      },
    },
    {
      method: 'GET',
      plural: 'environments',
      sub: 'stream',
      handle: async (_req, res, { namespace, name }, caller) => {
        await auth.authorize(caller, { verb: 'get', namespace, name });
        const first = await environment(namespace, name);
        const stream = options.streams.open(res);
        stream.send('environment', redactObject(first));
        stream.onClose(
          options.index.subscribe((change) => {
            if (change.namespace !== namespace || change.name !== name) return;
            if (change.environment) stream.send('environment', redactObject(change.environment));
            else stream.send('delete', { namespace, name });
          }),
        );
      },
    },
    {
      method: 'GET',
      plural: 'environments',
      sub: 'access',
      handle: async (_req, res, { namespace, name }, caller) => {
        const verbs = ['get', 'sync', 'rollback', 'patch', 'action'] as const;
        const answers = await Promise.all(verbs.map((verb) => may(caller, { verb, namespace, name })));
        sendJson(res, 200, Object.fromEntries(verbs.map((v, i) => [v, answers[i]])));
      },
    },
    {
      method: 'POST',
      plural: 'environments',
      sub: 'suspend',
      handle: async (_req, res, { namespace, name }, caller) => {
        await auth.authorize(caller, { verb: 'patch', namespace, name });
        await resources.patchEnvironment(namespace, name, { spec: { suspend: true } });
        options.log.info('suspend requested through the API', {
          environment: `${namespace}/${name}`,
          user: caller.username,
        });
        res.writeHead(204).end();
      },
    },
    {
      method: 'POST',
      plural: 'environments',
      sub: 'resume',
      handle: async (_req, res, { namespace, name }, caller) => {
        await auth.authorize(caller, { verb: 'patch', namespace, name });
        // As `keelson resume`: automated sync paused by a rollback resumes too.
        await resources.patchEnvironment(namespace, name, {
          metadata: { annotations: { [ANNOTATION_AUTO_SYNC_PAUSED]: null } },
          spec: { suspend: false },
        });
        options.log.info('resume requested through the API', {
          environment: `${namespace}/${name}`,
          user: caller.username,
        });
        res.writeHead(204).end();
      },
    },
    {
      method: 'POST',
      plural: 'gitrepositories',
      sub: 'refresh',
      handle: async (_req, res, { namespace, name }, caller) => {
        await auth.authorize(caller, { verb: 'patch', namespace, name, resource: gitRepositoryDefinition.plural });
        const requestedAt = now();
        await resources.patchGitRepository(namespace, name, {
          metadata: { annotations: { [ANNOTATION_REFRESH_REQUESTED_AT]: requestedAt } },
        });
        options.log.info('refresh requested through the API', {
          gitRepository: `${namespace}/${name}`,
          user: caller.username,
        });
        sendJson(res, 202, { requestedAt });
      },
    },
  ];
}
