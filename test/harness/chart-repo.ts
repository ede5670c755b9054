// A real Helm chart repository for tests: a loopback HTTP server over a directory of charts
// packaged by the real `helm package`, with the `index.yaml` the real `helm repo index`
// writes, and basic auth when credentials are given. Stop and resume it to play
// "repository down, then back".
//
//   const repo = await ChartRepo.start({ username: 'keelson', password: 's3cret' });
//   await repo.addChart('test/fixtures/charts/podinfo-lite');   // packages and re-indexes
//   repo.url; repo.credentials;                                  // what a HelmRepository needs
//   await repo.stop(); await repo.resume();                      // down, then back on the same port
import { execFile } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBinaries } from './binaries.ts';
import { closeServer, listenOnLoopback } from './ports.ts';

const run = promisify(execFile);

export interface ChartRepoOptions {
  /** Require basic auth with this user (and `password`). @default no authentication */
  readonly username?: string;
  /** @default no authentication */
  readonly password?: string;
  /** The loopback port to listen on. @default any free one */
  readonly port?: number;
}

export interface ChartRequestRecord {
  readonly method: string;
  /** The request path, e.g. `/index.yaml` or `/podinfo-lite-1.2.0.tgz`. */
  readonly path: string;
  readonly status: number;
}

export interface PackagedChart {
  readonly name: string;
  readonly version: string;
  /** The packaged chart (`<name>-<version>.tgz`) inside the repository's directory. */
  readonly file: string;
}

export class ChartRepo {
  /** The directory served: the packaged charts and `index.yaml`. */
  readonly root: string;
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  /** Every request served, in order. */
  readonly requests: ChartRequestRecord[] = [];
  readonly #helm: string;
  #server: Server | undefined;
  #port = 0;

  private constructor(root: string, helm: string, credentials: ChartRepo['credentials']) {
    this.root = root;
    this.#helm = helm;
    this.credentials = credentials;
  }

  static async start(options: ChartRepoOptions = {}): Promise<ChartRepo> {
    const { username, password } = options;
    if ((username === undefined) !== (password === undefined)) {
      throw new Error('give both username and password, or neither');
    }
    const { helm } = await ensureBinaries();
    const root = mkdtempSync(join(tmpdir(), 'keelson-charts-'));
    const repo = new ChartRepo(root, helm, username === undefined ? undefined : { username, password: password! });
    repo.#port = options.port ?? 0;
    try {
      await repo.resume();
    } catch (err) {
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
    await repo.#index();
    return repo;
  }

  /** The repository URL without credentials, e.g. http://127.0.0.1:40123 */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Packages a chart folder with `helm package` into the repository and re-indexes it. */
  async addChart(dir: string): Promise<PackagedChart> {
    const { stdout } = await this.#runHelm(['package', dir, '--destination', this.root]);
    const file = /saved it to: (.+\.tgz)\s*$/m.exec(stdout)?.[1];
    if (!file) throw new Error(`helm package ${dir}: no package in its output:\n${stdout}`);
    const match = /^(.+)-(\d+\.\d+\.\d+[^/]*)\.tgz$/.exec(basename(file));
    if (!match) throw new Error(`helm package ${dir}: unexpected file name ${file}`);
    await this.#index();
    return { name: match[1]!, version: match[2]!, file };
  }

  /** Removes one packaged version and re-indexes: the repository no longer offers it. */
  async removeChart(name: string, version: string): Promise<void> {
    rmSync(join(this.root, `${name}-${version}.tgz`), { force: true });
    await this.#index();
  }

  requestsFor(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  /** Stops listening (connections are refused) but keeps the charts and the port for `resume()`. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await closeServer(server);
  }

  /** Listens again, on the same port as before when there was one. */
  async resume(): Promise<void> {
    if (this.#server) return;
    const server = createServer((req, res) => this.#handle(req, res));
    this.#port = await listenOnLoopback(server, this.#port);
    this.#server = server;
  }

  /** Stops listening and deletes the repository's directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.root, { recursive: true, force: true });
  }

  async #index(): Promise<void> {
    await this.#runHelm(['repo', 'index', this.root, '--url', this.url]);
  }

  #runHelm(args: string[]): Promise<{ stdout: string }> {
    return run(this.#helm, args, { env: { ...process.env, HELM_CACHE_HOME: join(this.root, '.helm-cache') } });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const reply = (status: number, headers: Record<string, string | number> = {}, body?: string) => {
      this.requests.push({ method, path, status });
      res.writeHead(status, headers);
      res.end(body);
    };
    if (!this.#authorized(req.headers.authorization)) {
      reply(401, { 'WWW-Authenticate': 'Basic realm="keelson-test-charts"' }, 'authentication required\n');
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      reply(405, { Allow: 'GET, HEAD' });
      return;
    }
    const name = decodeURIComponent(path.slice(1));
    const file = join(this.root, name);
    const servable = /^[\w.-]+\.(tgz|yaml)$/.test(name) && !name.startsWith('.') && existsSync(file);
    if (!servable) {
      reply(404, { 'Content-Type': 'text/plain' }, 'not found\n');
      return;
    }
    const type = name.endsWith('.yaml') ? 'application/yaml' : 'application/gzip';
    this.requests.push({ method, path, status: 200 });
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': statSync(file).size });
    if (method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  }

  #authorized(header: string | undefined): boolean {
    if (!this.credentials) return true;
    if (!header?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded === `${this.credentials.username}:${this.credentials.password}`;
  }
}
