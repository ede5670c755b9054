// The HTTP client isomorphic-git talks through: node:http(s) with keep-alive, an optional
// CA bundle, the credentials as a header (never in the URL) and a time limit per operation.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

export interface HttpTransportOptions {
  /** PEM CA bundle to trust in addition to nothing else (replaces the system roots when set). */
  readonly caBundle?: string;
  /** Extra headers on every request, e.g. Authorization. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

const agents = new Map<string, HttpAgent | HttpsAgent>();

/** A keep-alive agent shared by every request with the same protocol and CA bundle. */
function agentFor(protocol: string, caBundle: string | undefined): HttpAgent | HttpsAgent {
  const key = `${protocol}|${caBundle ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = protocol === 'https:'
      ? new HttpsAgent({ keepAlive: true, maxSockets: 8, ...(caBundle ? { ca: caBundle } : {}) })
      : new HttpAgent({ keepAlive: true, maxSockets: 8 });
    agents.set(key, agent);
  }
  return agent;
}

export function createHttpTransport(options: HttpTransportOptions): HttpClient {
  return {
    request: async (req: GitHttpRequest): Promise<GitHttpResponse> => {
      const body = req.body ? await collect(req.body) : undefined;
      const res = await send(new URL(req.url), req, body, options);
      return {
        url: req.url,
        method: req.method ?? 'GET',
        statusCode: res.statusCode ?? 0,
        statusMessage: res.statusMessage ?? '',
        headers: flattenHeaders(res.headers),
        body: res[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>,
      };
    },
  };
}

function send(url: URL, req: GitHttpRequest, body: Buffer | undefined, options: HttpTransportOptions): Promise<IncomingMessage> {
  const headers: Record<string, string> = { ...req.headers, ...options.headers };
  if (body) headers['content-length'] = String(body.length);
  const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = make(url, { method: req.method ?? 'GET', headers, agent: agentFor(url.protocol, options.caBundle), signal: options.signal }, resolve);
    r.on('error', reject);
    r.end(body);
  });
}

async function collect(body: AsyncIterableIterator<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
