// GET …/environments/<name>/hooklogs?job=<Job>[&tailLines=N]: the end of the logs of a hook
// Job's pod, for the operation view of the web UI. Only a hook Job of the Environment's current
// (or last) operation is answered, never any other pod. The caller needs `get` on the
// Environment and `get` on `pods/log` in the hook's namespace (SubjectAccessReviews with the
// caller's identity); the pods and logs are read with the operator's client on the
// Environment's cluster (its spec.destination's, or the operator's own), as its tree is. A
// hook's output is the users' own, but it passes through the redactor as every answer of the
// API does: a hook that prints a secret Keelson resolved (a pass entry, a credential) shows
// it masked.
import type { IncomingMessage } from 'node:http';
import {
  choosePod,
  containersOf,
  findHookJob,
  HookLogsError,
  type HookLogsErrorReason,
  JOB_NAME_LABEL,
  LIMIT_BYTES,
  tailLinesOf,
  tailOf,
  type ContainerLog,
  type HookLogs,
} from '../../core/environment/hook-logs.ts';
import type { KubeObject } from '../../core/manifest.ts';
import { RequestError, type SubResource } from '../http/api-routes.ts';
import { sendJson } from '../http/http-server.ts';
import type { KubernetesAuth } from '../http/kubernetes-auth.ts';
import type { EnvironmentResource, KeelsonResources } from '../kubernetes/keelson-resources.ts';
import type { ObjectLister } from './owned-objects.ts';
import type { OverviewIndex } from './overview.ts';

/** Reads one API server: lists of objects, and text answers (a container's log; RestTransport.text). */
export interface ClusterReader extends ObjectLister {
  text(path: string, query?: Readonly<Record<string, string | undefined>>): Promise<string>;
}

export interface HookLogsOptions {
  readonly auth: Pick<KubernetesAuth, 'authorize'>;
  readonly resources: KeelsonResources;
  readonly index: OverviewIndex;
  /** The API server the Environment's objects are on. */
  readonly readerFor: (env: EnvironmentResource) => Promise<ClusterReader>;
  /** Masks the secret values Keelson knows of in a log (SecretRedactor.redactText). */
  readonly redact: (text: string) => string;
}

export function hookLogsSubResource(options: HookLogsOptions): SubResource {
  return {
    method: 'GET',
    plural: 'environments',
    sub: 'hooklogs',
    handle: async (req, res, { namespace, name }, caller) => {
      const { job, tailLines } = parseQuery(req);
      await options.auth.authorize(caller, { verb: 'get', namespace, name });
      const env =
        options.index.environment(namespace, name) ?? (await options.resources.getEnvironment(namespace, name));
      const hook = answered(() => findHookJob(env.status?.operation, job, `${namespace}/${name}`));
      await options.auth.authorize(caller, {
        verb: 'get',
        group: '',
        resource: 'pods',
        subresource: 'log',
        namespace: hook.namespace,
      });
      const reader = await options.readerFor(env).catch(unavailable(`the cluster of ${namespace}/${name}`));
      const pods = await reader
        .list<KubeObject>(podsPath(hook.namespace), { labelSelector: `${JOB_NAME_LABEL}=${job}` })
        .catch(unavailable(`the pods of Job ${hook.namespace}/${job}`));
      const pod = choosePod(pods, job);
      if (!pod)
        throw new RequestError(404, `Job ${hook.namespace}/${job} has no pod (none started, or it was deleted)`);
      const containers = await Promise.all(
        containersOf(pod).map((container) => containerLog(reader, pod, container, tailLines, options.redact)),
      );
      const failed = containers.filter((c) => c.error !== undefined);
      if (containers.length > 0 && failed.length === containers.length)
        unavailable(`the logs of pod ${hook.namespace}/${pod.metadata.name}`)(failed[0]!.error);
      const body: HookLogs = {
        job,
        namespace: hook.namespace,
        pod: pod.metadata.name,
        podPhase: (pod as { status?: { phase?: string } }).status?.phase ?? 'Unknown',
        tailLines,
        containers,
      };
      sendJson(res, 200, body);
    },
  };
}

async function containerLog(
  reader: ClusterReader,
  pod: KubeObject,
  container: string,
  tailLines: number,
  redact: (text: string) => string,
): Promise<ContainerLog> {
  const path = `${podsPath(pod.metadata.namespace ?? '')}/${encodeURIComponent(pod.metadata.name)}/log`;
  try {
    // One line more than answered: whether it came says whether earlier lines were left out.
    const query = { container, tailLines: String(tailLines + 1), limitBytes: String(LIMIT_BYTES) };
    const text = await reader.text(path, query);
    return { container, ...tailOf(redact(text), tailLines) };
  } catch (err) {
    return { container, lines: [], truncated: false, error: messageOf(err) };
  }
}

function parseQuery(req: IncomingMessage): { job: string; tailLines: number } {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const job = query.get('job') ?? '';
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(job))
    throw new RequestError(400, 'job must name a hook Job of the operation (?job=<name of the Job in the cluster>)');
  return { job, tailLines: answered(() => tailLinesOf(query.get('tailLines'))) };
}

const STATUS: Readonly<Record<HookLogsErrorReason, number>> = { NotAHook: 404, BadTailLines: 400 };

/** The core's answer, or its HookLogsError as the HTTP answer it stands for. */
function answered<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof HookLogsError) throw new RequestError(STATUS[err.reason], err.message);
    throw err;
  }
}

function podsPath(namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
}

/** A 502 saying what could not be read, in the words of the API server (or of the connection) that refused it. */
function unavailable(what: string): (err: unknown) => never {
  return (err) => {
    throw new RequestError(502, `${what} could not be read: ${messageOf(err)}`);
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
