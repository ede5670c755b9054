// `keelson diff <env> --server URL`: the operator's last comparison from its REST API (for use
// inside the cluster, where the operator's Service is reachable), with `--token`
// (KEELSON_TOKEN) or the kubeconfig's bearer token; the operator authenticates it with a
// TokenReview and needs RBAC verb `get` on the Environment. A URL on the kubeconfig's API
// server (its service proxy) is sent with the kubeconfig's CA and client certificate too.
// A failure names its cause: the connection error's code, or the HTTP status and message.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Cluster } from './cluster.ts';
import { DiffError } from './diff-desired.ts';
import { describeConnectionError } from './connection-error.ts';

export interface ServerDiffOptions {
  readonly server: string;
  readonly token?: string | undefined;
}

/** The operator's diff text (its format is renderDiff's: sections start with `--- live `). */
export async function serverDiff(cluster: Cluster, name: string, options: ServerDiffOptions): Promise<string> {
  const path = `/api/v1/namespaces/${encodeURIComponent(cluster.namespace)}/environments/${encodeURIComponent(name)}/diff`;
  const url = new URL(`${options.server.replace(/\/$/, '')}${path}`);
  const kubeconfig: RequestOptions = {};
  await cluster.kubeConfig.applyToHTTPSOptions(kubeconfig);
  const token = options.token ?? bearerOf(kubeconfig.headers);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const apiServer = cluster.kubeConfig.getCurrentCluster()?.server;
  // Through the API server (its service proxy): its CA and the user's client certificate from the kubeconfig.
  const tls =
    apiServer && new URL(apiServer).origin === url.origin
      ? {
          ca: kubeconfig.ca,
          cert: kubeconfig.cert,
          key: kubeconfig.key,
          rejectUnauthorized: kubeconfig.rejectUnauthorized,
        }
      : {};
  let answer: { status: number; text: string };
  try {
    answer = await get(url, { ...tls, headers });
  } catch (err) {
    const why = describeConnectionError(err, "the operator's API", url.origin);
    if (why) throw new DiffError(why);
    throw err;
  }
  if (answer.status >= 200 && answer.status < 300) return answer.text;
  let message = answer.text.trim();
  try {
    const body = JSON.parse(answer.text) as { error?: string; message?: string };
    message = body.error ?? body.message ?? message;
  } catch {
    // plain text
  }
  const hint =
    answer.status === 401 && !token
      ? ' (no bearer token: pass --token, e.g. from `kubectl create token`, or leave out --server to diff with your kubeconfig)'
      : answer.status === 403
        ? ' (the operator checks RBAC verb get on the Environment)'
        : '';
  throw new DiffError(`the operator's API answered HTTP ${answer.status}: ${message}${hint}`);
}

function bearerOf(headers: RequestOptions['headers']): string | undefined {
  const h = (headers ?? {}) as Record<string, string | undefined>;
  return /^Bearer\s+(.+)$/i.exec(h.Authorization ?? h.authorization ?? '')?.[1];
}

function get(url: URL, options: RequestOptions): Promise<{ status: number; text: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...options, method: 'GET', timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
