// The HTTP client isomorphic-git talks through: node:http(s) with keep-alive, an optional
// CA bundle, the credentials as a header (never in the URL) and a time limit per operation.
// One transport serves one refresh: the ref advertisement (GET info/refs) it received for
// the "did it move?" check is replayed to the fetch that follows, saving a round trip.
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
    agent =
      protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets: 8, ...(caBundle ? { ca: caBundle } : {}) })
        : new HttpAgent({ keepAlive: true, maxSockets: 8 });
    agents.set(key, agent);
  }
  return agent;
}

export function createHttpTransport(options: HttpTransportOptions): HttpClient {
  const advertisements = new Map<string, Omit<GitHttpResponse, 'body'> & { bytes: Buffer }>();
  return {
    request: async (req: GitHttpRequest): Promise<GitHttpResponse> => {
      const isDiscovery = (req.method ?? 'GET') === 'GET' && req.url.includes('/info/refs?service=');
      const replay = isDiscovery ? advertisements.get(req.url) : undefined;
      if (replay) return { ...replay, body: once(replay.bytes) };
      const body = req.body ? await collect(req.body) : undefined;
      const res = await send(new URL(req.url), req, body, options);
      const head = {
        url: req.url,
        method: req.method ?? 'GET',
        statusCode: res.statusCode ?? 0,
        statusMessage: res.statusMessage ?? '',
        headers: flattenHeaders(res.headers),
      };
      if (isDiscovery && head.statusCode === 200) {
        const bytes = await collect(res);
        advertisements.set(req.url, { ...head, bytes });
        return { ...head, body: once(bytes) };
      }
      return { ...head, body: res[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array> };
    },
  };
}

async function* chunks(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function once(bytes: Buffer): AsyncIterableIterator<Uint8Array> {
  return chunks(bytes);
}

function send(
  url: URL,
  req: GitHttpRequest,
  body: Buffer | undefined,
  options: HttpTransportOptions,
): Promise<IncomingMessage> {
  const headers: Record<string, string> = { ...req.headers, ...options.headers };
  if (body) headers['content-length'] = String(body.length);
  const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = make(
      url,
      { method: req.method ?? 'GET', headers, agent: agentFor(url.protocol, options.caBundle), signal: options.signal },
      resolve,
    );
    r.on('error', reject);
    r.end(body);
  });
}

async function collect(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
