// A real Git smart-HTTP server for tests: `git http-backend` behind a loopback HTTP server
// with basic auth. Tests create repositories, commit, tag, force-push and delete through
// `GitTestRepo`, and stop and restart the server to play "host down, then back".
//
//   const git = await GitServer.start();             // user "keelson", a random password
//   const repo = await git.createRepo('deploy', { 'README.md': 'hello' });
//   const sha = await repo.commit({ 'app.ts': 'export {}' }, 'add app');
//   repo.url; git.credentials;                        // what a GitRepository needs
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitTestRepo } from './git-test-repo.ts';
import { createPki } from './pki.ts';
import { closeServer, listenOnLoopback } from './ports.ts';

const run = promisify(execFile);

export interface GitServerOptions {
  /** @default 'keelson' */
  readonly username?: string;
  /** @default a random password */
  readonly password?: string;
  /** Serve HTTPS with a certificate from a private test CA (see `caCert`). @default false */
  readonly tls?: boolean;
}

export interface GitRequestRecord {
  readonly repo: string;
  readonly kind: 'ls-refs' | 'fetch' | 'push' | 'other';
  readonly status: number;
}

export class GitServer {
  readonly root: string;
  readonly credentials: { readonly username: string; readonly password: string };
  /** Every request served, in order: count fetches per repository with `requestsFor`. */
  readonly requests: GitRequestRecord[] = [];
  /** Every response waits this long first: a slow server, for timeout tests. */
  responseDelayMs = 0;
  /** The PEM CA certificate that signed the server's certificate (with `tls`). */
  caCert: string | undefined;
  #tls: { cert: string; key: string } | undefined;
  #server: Server | HttpsServer | undefined;
  #port = 0;

  private constructor(root: string, username: string, password: string) {
    this.root = root;
    this.credentials = { username, password };
  }

  static async start(options: GitServerOptions = {}): Promise<GitServer> {
    const root = mkdtempSync(join(tmpdir(), 'keelson-git-'));
    const server = new GitServer(
      root,
      options.username ?? 'keelson',
      options.password ?? randomBytes(12).toString('hex'),
    );
    if (options.tls) {
      const dir = join(root, '.pki');
      mkdirSync(dir);
      const pki = await createPki(dir);
      server.caCert = readFileSync(pki.caCert, 'utf8');
      server.#tls = { cert: readFileSync(pki.serverCert, 'utf8'), key: readFileSync(pki.serverKey, 'utf8') };
    }
    await server.resume();
    return server;
  }

  /** Base URL without credentials, e.g. http://127.0.0.1:40123 */
  get baseUrl(): string {
    return `${this.#tls ? 'https' : 'http'}://127.0.0.1:${this.#port}`;
  }

  /** The clone URL of a repository (which need not exist). */
  url(name: string): string {
    return `${this.baseUrl}/${name}.git`;
  }

  /** The clone URL with the credentials in it, for the native git client. */
  authenticatedUrl(name: string): string {
    const { username, password } = this.credentials;
    return `${this.#tls ? 'https' : 'http'}://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${this.#port}/${name}.git`;
  }

  /** Creates a bare repository whose `main` has one commit with `files` (unless empty). */
  async createRepo(name: string, files: Record<string, string> = { 'README.md': `# ${name}\n` }): Promise<GitTestRepo> {
    const gitDir = join(this.root, `${name}.git`);
    await run('git', ['init', '--bare', '--quiet', '--initial-branch=main', gitDir]);
    await run('git', ['--git-dir', gitDir, 'config', 'http.receivepack', 'true']);
    const repo = new GitTestRepo(name, gitDir, this.url(name));
    if (Object.keys(files).length > 0) await repo.commit(files, 'initial commit');
    return repo;
  }

  /** Deletes a repository: fetches answer 404 from now on. */
  deleteRepo(name: string): void {
    rmSync(join(this.root, `${name}.git`), { recursive: true, force: true });
  }

  requestsFor(repo: string, kind?: GitRequestRecord['kind']): number {
    return this.requests.filter((r) => r.repo === repo && (kind === undefined || r.kind === kind)).length;
  }

  /** Stops listening (connections are refused) but keeps the repositories and the port. */
  async pause(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await closeServer(server);
  }

  /** Listens again, on the same port as before when there was one. */
  async resume(): Promise<void> {
    if (this.#server) return;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    const server = this.#tls ? createHttpsServer(this.#tls, handler) : createServer(handler);
    this.#port = await listenOnLoopback(server, this.#port);
    this.#server = server;
  }

  async stop(): Promise<void> {
    await this.pause();
    rmSync(this.root, { recursive: true, force: true });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.responseDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.responseDelayMs));
    if (res.destroyed) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const repo = /^\/([^/]+)\.git\//.exec(url.pathname)?.[1] ?? '';
    const kind: GitRequestRecord['kind'] = url.pathname.endsWith('/info/refs')
      ? 'ls-refs'
      : url.pathname.endsWith('/git-upload-pack')
        ? 'fetch'
        : url.pathname.endsWith('/git-receive-pack')
          ? 'push'
          : 'other';
    const record = (status: number) => this.requests.push({ repo, kind, status });
    if (!this.#authorized(req.headers.authorization)) {
      record(401);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="keelson-test"' }).end('authentication required\n');
      return;
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: this.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: this.credentials.username,
      REMOTE_ADDR: '127.0.0.1',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      const endLf = head.indexOf('\n\n');
      const cut = end >= 0 ? end : endLf;
      if (cut < 0) return;
      headersDone = true;
      const sepLength = end >= 0 ? 4 : 2;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, cut).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      record(status);
      res.writeHead(status, headers);
      res.write(head.subarray(cut + sepLength));
    });
    child.on('close', () => {
      if (!headersDone) {
        record(500);
        res.writeHead(500).end();
      } else res.end();
    });
  }

  #authorized(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded === `${this.credentials.username}:${this.credentials.password}`;
  }
}
