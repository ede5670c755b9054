// What the web UI's GitRepository pages ask the API: the repositories the caller may list
// (GET /api/v1/gitrepositories, and live: …/gitrepositories/stream), and under one of them a
// live stream (the repository, status masked, with the Environments using it), what the caller
// may do, suspend and resume. The refresh is environment-routes.ts'. RBAC is on
// gitrepositories.keelson.dev: list, get, patch.
import { gitRepositoryDefinition } from '../../api/v1alpha1/index.ts';
import type { Logger } from '../../core/logger.ts';
import { redactObject } from '../../core/redact.ts';
import type { SubResource } from '../http/api-routes.ts';
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/http-server.ts';
import type { AccessRequest, Caller, KubernetesAuth } from '../http/kubernetes-auth.ts';
import type { GitRepositoryResource, KeelsonResources } from '../kubernetes/keelson-resources.ts';
import type { EventStreams } from './event-stream.ts';
import { toGitRepositoryRow, type GitRepositoryIndex, type GitRepositoryRow } from './git-repositories.ts';
import { isAllowed, NamespaceAccess } from './namespace-access.ts';
import type { OverviewIndex, Row } from './overview.ts';

export interface GitRepositoryRoutesOptions {
  readonly resources: KeelsonResources;
  readonly auth: Pick<KubernetesAuth, 'authorize'>;
  readonly repositories: GitRepositoryIndex;
  /** The Environments, for those that use a repository. */
  readonly index: OverviewIndex;
  /** Who may list Environments where (the overview's cache). */
  readonly environmentAccess: NamespaceAccess;
  readonly streams: EventStreams;
  readonly log: Logger;
}

/** One GitRepository as its page shows it. */
export interface GitRepositoryView {
  readonly gitRepository: GitRepositoryResource;
  readonly row: GitRepositoryRow;
  /** The Environments using it; absent when the caller may not list Environments there. */
  readonly environments?: readonly Row[];
}

const resource = gitRepositoryDefinition.plural;

export function gitRepositoryRoutes(options: GitRepositoryRoutesOptions): {
  list: (caller: Caller, namespace: string | undefined) => Promise<{ items: GitRepositoryRow[] }>;
  /** The list, then each change of a row the caller may list (`upsert`, `delete`), as server-sent events. */
  streamList: (res: ServerResponse, caller: Caller, namespace: string | undefined) => Promise<void>;
  subResources: SubResource[];
} {
  const { auth, resources, repositories } = options;
  const authorize = (caller: Caller, request: AccessRequest) => auth.authorize(caller, request);
  const listAccess = new NamespaceAccess({ authorize, resource });

  const view = async (caller: Caller, repo: GitRepositoryResource): Promise<GitRepositoryView> => {
    const { namespace, name } = repo.metadata;
    const mayList = await options.environmentAccess.may(caller, namespace);
    return {
      gitRepository: redactObject(repo),
      row: toGitRepositoryRow(repo),
      environments: mayList ? options.index.rowsUsing(namespace, name) : undefined,
    };
  };
  const setSuspend = (suspend: boolean): SubResource['handle'] => {
    return async (_req, res, { namespace, name }, caller) => {
      await auth.authorize(caller, { verb: 'patch', namespace, name, resource });
      await resources.patchGitRepository(namespace, name, { spec: { suspend } });
      options.log.info(`${suspend ? 'suspend' : 'resume'} requested through the API`, {
        gitRepository: `${namespace}/${name}`,
        user: caller.username,
      });
      res.writeHead(204).end();
    };
  };

  const subResources: SubResource[] = [
    {
      method: 'GET',
      plural: 'gitrepositories',
      sub: 'stream',
      handle: async (_req, res, { namespace, name }, caller) => {
        await auth.authorize(caller, { verb: 'get', namespace, name, resource });
        const first = repositories.get(namespace, name) ?? (await resources.getGitRepository(namespace, name));
        const stream = options.streams.open(res);
        stream.send('gitRepository', await view(caller, first));
        // One answer after the other, in order: an Environment's change or the repository's.
        let queue = Promise.resolve();
        const resend = () => {
          queue = queue
            .then(async () => {
              if (stream.closed) return;
              const repo = repositories.get(namespace, name);
              if (repo) stream.send('gitRepository', await view(caller, repo));
              else stream.send('delete', { namespace, name });
            })
            .catch((err: unknown) => {
              options.log.warn('a GitRepository stream ended: its access could not be checked', {
                error: String(err),
              });
              stream.close();
            });
        };
        const stopRepo = repositories.subscribe((ns, n) => ns === namespace && n === name && resend());
        const stopEnv = options.index.subscribe((change) => change.namespace === namespace && resend());
        stream.onClose(() => {
          stopRepo();
          stopEnv();
        });
      },
    },
    {
      method: 'GET',
      plural: 'gitrepositories',
      sub: 'access',
      handle: async (_req, res, { namespace, name }, caller) => {
        const verbs = ['get', 'patch'] as const;
        const answers = await Promise.all(
          verbs.map((verb) => isAllowed(authorize, caller, { verb, namespace, name, resource })),
        );
        sendJson(res, 200, Object.fromEntries(verbs.map((v, i) => [v, answers[i]])));
      },
    },
    { method: 'POST', plural: 'gitrepositories', sub: 'suspend', handle: setSuspend(true) },
    { method: 'POST', plural: 'gitrepositories', sub: 'resume', handle: setSuspend(false) },
  ];

  return {
    list: async (caller, namespace) => {
      const visible = await listAccess.allowed(caller, repositories.namespaces());
      return { items: repositories.rows(visible, namespace) };
    },
    streamList: async (res, caller, namespace) => {
      const visible = await listAccess.allowed(caller, repositories.namespaces());
      const stream = options.streams.open(res);
      stream.send('reset', { items: repositories.rows(visible, namespace) });
      // One change after the other, in order, each checked against the (cached) access.
      let queue = Promise.resolve();
      stream.onClose(
        repositories.subscribe((ns, name) => {
          if (namespace !== undefined && ns !== namespace) return;
          queue = queue
            .then(async () => {
              if (stream.closed || !(await listAccess.may(caller, ns))) return;
              const repo = repositories.get(ns, name);
              if (repo) stream.send('upsert', toGitRepositoryRow(repo));
              else stream.send('delete', { namespace: ns, name });
            })
            .catch((err: unknown) => {
              options.log.warn('a GitRepositories stream ended: its access could not be checked', {
                error: String(err),
              });
              stream.close();
            });
        }),
      );
    },
    subResources,
  };
}
