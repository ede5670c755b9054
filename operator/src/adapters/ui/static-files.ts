// The web UI's files (operator/ui/dist) under /ui/: a path that is no file answers
// index.html (deep links), hashed assets are cached for a year and index.html never, every
// answer carries the Content-Security-Policy and friends, and text is gzipped when the
// browser takes it (a precompressed `.gz` next to the file is used as it is).
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { acceptsGzip } from '../http/http-server.ts';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

/** Whether a file name carries a content hash (`app-3F7QK2LZ.js`): such a file never changes. */
export function isHashedAsset(fileName: string): boolean {
  // The build writes every file named by its content hash, and only those, into assets/.
  return fileName.startsWith('assets/');
}

interface FileBody {
  readonly body: Buffer;
  readonly gzip?: Buffer;
}

export class StaticFiles {
  readonly #dir: string;
  /** path → the file, its gzip form and the mtime they were read at. */
  readonly #cache = new Map<string, FileBody & { mtimeMs: number }>();

  constructor(dir: string) {
    this.#dir = normalize(dir);
  }

  /** Whether the UI is built (its index.html is there). */
  async built(): Promise<boolean> {
    return (await this.#file('index.html')) !== undefined;
  }

  /** Serves `url` (a path under /ui/); false when the UI is not built. */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname.slice('/ui/'.length));
    } catch {
      relative = '';
    }
    let name = safeRelative(relative) ?? 'index.html';
    let file = await this.#file(name);
    if (!file) {
      name = 'index.html';
      file = await this.#file(name);
      if (!file) return false;
    }
    const ext = extname(name);
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'cache-control': isHashedAsset(name) ? IMMUTABLE : 'no-cache',
      vary: 'Accept-Encoding',
    };
    let body = file.body;
    if (file.gzip && acceptsGzip(req.headers['accept-encoding'])) {
      body = file.gzip;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /** A file of the directory, read once per change (the build may replace them). */
  async #file(name: string): Promise<FileBody | undefined> {
    const path = join(this.#dir, name);
    let info;
    try {
      info = await stat(path);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const cached = this.#cache.get(path);
    if (cached && cached.mtimeMs === info.mtimeMs) return cached;
    const body = await readFile(path);
    const ext = extname(name);
    let gzip: Buffer | undefined;
    try {
      gzip = await readFile(`${path}.gz`);
    } catch {
      gzip = COMPRESSIBLE.has(ext) && body.length > 512 ? gzipSync(body) : undefined;
    }
    const entry = { body, gzip, mtimeMs: info.mtimeMs };
    this.#cache.set(path, entry);
    return entry;
  }
}

/** A relative path inside the directory, or undefined for one that leaves it or names a folder. */
export function safeRelative(path: string): string | undefined {
  if (path === '' || path.endsWith('/') || path.includes('\0')) return undefined;
  const normal = normalize(path);
  if (
    normal.startsWith('..') ||
    normal.startsWith(sep) ||
    normal.split(sep).some((p) => p === '..' || p.startsWith('.'))
  )
    return undefined;
  return normal;
}
