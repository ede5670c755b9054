// A small HTTP server: routes by method and path prefix, JSON helpers, and a graceful
// stop. The probes, /metrics, the REST API and the webhook receiver are routes on it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

interface Route {
  readonly method: string;
  readonly path: string;
  readonly prefix: boolean;
  readonly handler: Handler;
}

export interface HttpServerOptions {
  /** `host:port` or `:port`. */
  readonly listen: string;
  /** Called with errors thrown by handlers (they answer 500). */
  readonly onError?: (err: unknown, req: IncomingMessage) => void;
}

export class HttpServer {
  readonly #routes: Route[] = [];
  readonly #options: HttpServerOptions;
  #server: Server | undefined;

  constructor(options: HttpServerOptions) {
    this.#options = options;
  }

  /** Adds a route; a path ending in `/*` matches everything under it. */
  route(method: string, path: string, handler: Handler): this {
    const prefix = path.endsWith('/*');
    this.#routes.push({ method, path: prefix ? path.slice(0, -1) : path, prefix, handler });
    return this;
  }

  async start(): Promise<number> {
    const server = createServer((req, res) => void this.#dispatch(req, res));
    this.#server = server;
    const { host, port } = parseListen(this.#options.listen);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const candidates = this.#routes.filter((r) =>
      r.prefix ? url.pathname.startsWith(r.path) : url.pathname === r.path,
    );
    const route = candidates.find((r) => r.method === req.method);
    try {
      if (route) await route.handler(req, res, url);
      else if (candidates.length > 0)
        sendJson(res, 405, { error: `method ${req.method} not allowed on ${url.pathname}` });
      else sendJson(res, 404, { error: `no such path: ${url.pathname}` });
    } catch (err) {
      this.#options.onError?.(err, req);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    }
  }
}

/** Whether the Accept-Encoding header allows gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of value.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined || Number(q) > 0;
  }
  return false;
}

/** Bodies smaller than this go as they are: gzip would not pay for its header and CPU. */
const GZIP_FROM_BYTES = 1024;

/** A JSON answer, gzipped when it is large enough and the request accepts gzip. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = Buffer.from(JSON.stringify(body));
  const gzip = text.length >= GZIP_FROM_BYTES && acceptsGzip(res.req?.headers['accept-encoding']);
  const data = gzip ? gzipSync(text) : text;
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': data.length,
  };
  if (gzip) headers['content-encoding'] = 'gzip';
  if (text.length >= GZIP_FROM_BYTES) headers.vary = 'accept-encoding';
  res.writeHead(status, headers);
  res.end(data);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads a request body up to `limit` bytes; rejects beyond it. */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error(`request body over ${limit} bytes`), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  const host = colon <= 0 ? '0.0.0.0' : listen.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--listen: "${listen}" is not host:port or :port`);
  return { host, port };
}
