// A real npm registry for tests: Verdaccio (the `verdaccio` package of the test workspace) as a child
// process on a loopback port, plain HTTP, its storage in a temporary directory, htpasswd (bcrypt) auth.
// Packages go in with the real `npm publish`. With `uplink`, it proxies whatever it does not have to the
// public registry npm uses on this machine; without, it serves only what was published to it.
//
// Access: `@acme-private/*` needs the token to read and to publish; everything else reads anonymously.
//
//   const registry = await NpmRegistry.start({ uplink: true });
//   const { integrity } = await registry.publish('test/fixtures/npm/acme-constructs');
//   registry.url; registry.token; registry.npmrc();            // what a deploy repo's .npmrc needs
//   await registry.npm(['install', 'acme-constructs@1.0.0'], { cwd: project });
//   await registry.stop(); await registry.resume();            // down, then back on the same port
//   await registry.dispose();
//
// A child process rather than Verdaccio's in-process runServer(): a test, or the Keelson code it drives,
// may install with execFileSync, which would block the very event loop an in-process registry answers on.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { freePort } from './ports.ts';
import { ProcessGroup, tail } from './process-group.ts';

const run = promisify(execFile);
const VERDACCIO = join(dirname(createRequire(import.meta.url).resolve('verdaccio/package.json')), 'bin', 'verdaccio');
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'npm');
// Node's compile cache, kept across runs: it takes Verdaccio's start from about 1.2 s to about 0.8 s.
const COMPILE_CACHE = join(tmpdir(), 'keelson-verdaccio-compile-cache');
// Verdaccio checks the hash at login and again on each request with its (legacy, AES) token: keep it cheap.
const BCRYPT_COST = 5;
/** The scope that needs the token to read. */
export const PRIVATE_SCOPE = '@acme-private';

export interface NpmRegistryOptions {
  /** Proxy packages it does not have to the public registry (`npm config get registry`). @default false */
  readonly uplink?: boolean;
  /** Names never looked up upstream, even with `uplink`. @default the packages under test/fixtures/npm */
  readonly localOnly?: readonly string[];
  /** Time allowed from start (or resume) to ready. @default 30_000 */
  readonly readyTimeoutMs?: number;
}

export interface PublishedPackage {
  readonly name: string;
  readonly version: string;
  /** The tarball's Subresource Integrity, `sha512-…`: what a lockfile records for it. */
  readonly integrity: string;
}

export interface NpmRunOptions {
  /** @default this registry's directory */
  readonly cwd?: string;
  /** Send the token (needed for `@acme-private/*`). @default true */
  readonly token?: boolean;
  /** npm's cache. @default a new empty one for this command, so only what the registry serves now counts */
  readonly cache?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class NpmRegistry {
  /** Config, htpasswd, storage, log and npm's private files; deleted by dispose(). */
  readonly dir: string;
  readonly logFile: string;
  readonly credentials: { readonly username: string; readonly password: string };
  /** The registry npm is configured with here, proxied to with `uplink`; undefined without. */
  readonly upstream: string | undefined;
  readonly #port: number;
  readonly #config: string;
  readonly #readyTimeoutMs: number;
  #processes: ProcessGroup | undefined;
  #token = '';

  private constructor(init: {
    dir: string;
    port: number;
    config: string;
    upstream: string | undefined;
    readyTimeoutMs: number;
    credentials: NpmRegistry['credentials'];
  }) {
    this.dir = init.dir;
    this.#port = init.port;
    this.#config = init.config;
    this.upstream = init.upstream;
    this.#readyTimeoutMs = init.readyTimeoutMs;
    this.credentials = init.credentials;
    this.logFile = join(init.dir, 'verdaccio.log');
  }

  static async start(options: NpmRegistryOptions = {}): Promise<NpmRegistry> {
    const upstream = options.uplink ? await npmUpstream() : undefined;
    const dir = mkdtempSync(join(tmpdir(), 'keelson-npm-'));
    const credentials = { username: 'keelson', password: randomBytes(12).toString('hex') };
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, `${credentials.username}:${bcrypt.hashSync(credentials.password, BCRYPT_COST)}\n`, {
      mode: 0o600,
    });
    const config = join(dir, 'config.yaml');
    const localOnly = options.localOnly ?? fixturePackageNames();
    // JSON is YAML: Verdaccio warns that a .json (JavaScript) config is deprecated, not a .yaml one.
    writeFileSync(config, JSON.stringify(verdaccioConfig({ dir, htpasswd, upstream, localOnly }), null, 2));
    const registry = new NpmRegistry({
      dir,
      port: await freePort(),
      config,
      upstream: upstream?.url,
      credentials,
      readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
    });
    try {
      await registry.resume();
      registry.#token = await registry.#login();
    } catch (err) {
      await registry.dispose();
      throw err;
    }
    return registry;
  }

  /** The registry URL, with the trailing slash npm writes, e.g. http://127.0.0.1:40123/ */
  get url(): string {
    return `http://127.0.0.1:${this.#port}/`;
  }

  /** An `_authToken` for `credentials`: reads `@acme-private/*`, publishes anything. Stays valid on resume(). */
  get token(): string {
    return this.#token;
  }

  /** An `.npmrc` that points npm at this registry, with the token unless `{ token: false }`. */
  npmrc(options: { token?: boolean } = {}): string {
    const lines = [`registry=${this.url}`];
    if (options.token ?? true) lines.push(`//127.0.0.1:${this.#port}/:_authToken=${this.#token}`);
    return `${lines.join('\n')}\n`;
  }

  /** Publishes a package folder with `npm publish` (scripts off) and returns what the registry now serves. */
  async publish(dir: string): Promise<PublishedPackage> {
    const { stdout } = await this.npm(['publish', resolve(dir), '--json', '--ignore-scripts']);
    type Report = { name?: unknown; version?: unknown; integrity?: unknown };
    let out: Report | Record<string, Report>;
    try {
      out = JSON.parse(stdout) as typeof out;
    } catch {
      throw new Error(`npm publish ${dir}: output is not JSON:\n${stdout}`);
    }
    // npm 11 keys its report by package name ({ "acme-constructs": { id, name, … } }); older npm did not.
    const values = Object.values(out) as Report[];
    const report: Report = 'integrity' in out ? out : values.length === 1 ? values[0]! : {};
    const { name, version, integrity } = report;
    if (typeof name !== 'string' || typeof version !== 'string' || typeof integrity !== 'string') {
      throw new Error(`npm publish ${dir}: no name, version and integrity in its output:\n${stdout}`);
    }
    return { name, version, integrity };
  }

  /** Removes a published version (`npm unpublish --force`): the registry no longer offers it. */
  async unpublish(name: string, version: string): Promise<void> {
    await this.npm(['unpublish', `${name}@${version}`, '--force']);
  }

  /**
   * Runs the real npm CLI against this registry (`--registry` wins over a project's .npmrc), with a private
   * userconfig (so ~/.npmrc plays no part, nor npm_config_* variables) and, by default, a fresh cache.
   * A failure throws an Error whose message holds npm's exit code and the end of its stderr (`E401`, `E404`,
   * `ECONNREFUSED`, …).
   */
  async npm(args: readonly string[], options: NpmRunOptions = {}): Promise<{ stdout: string; stderr: string }> {
    const token = options.token ?? true;
    const userconfig = join(this.dir, token ? 'npmrc-token' : 'npmrc-anonymous');
    writeFileSync(userconfig, `${this.npmrc({ token })}audit=false\nfund=false\nupdate-notifier=false\n`, {
      mode: 0o600,
    });
    const cache = options.cache ?? mkdtempSync(join(this.dir, 'npm-cache-'));
    const env = Object.fromEntries(
      Object.entries({ ...process.env, ...options.env }).filter(([key]) => !/^npm_config_/i.test(key)),
    );
    try {
      return await run('npm', [...args, '--registry', this.url, '--userconfig', userconfig, '--cache', cache], {
        cwd: options.cwd ?? this.dir,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const e = err as { code?: unknown; stderr?: string; message: string };
      const stderr = (e.stderr ?? '').trimEnd().split('\n').slice(-15).join('\n');
      const what = `npm ${args.join(' ')} (registry ${this.url})`;
      throw new Error(`${what} failed, exit ${String(e.code)}:\n${stderr || e.message}`, { cause: err });
    } finally {
      if (options.cache === undefined) rmSync(cache, { recursive: true, force: true });
    }
  }

  /** Stops Verdaccio (connections are refused) but keeps its storage and the port for `resume()`. */
  async stop(): Promise<void> {
    const processes = this.#processes;
    this.#processes = undefined;
    await processes?.stop();
  }

  /** Starts Verdaccio again on the same port and storage: what was published is served again. */
  async resume(): Promise<void> {
    if (this.#processes) return;
    const processes = new ProcessGroup();
    this.#processes = processes;
    mkdirSync(COMPILE_CACHE, { recursive: true });
    processes.start('verdaccio', process.execPath, {
      args: [VERDACCIO, '--config', this.#config, '--listen', `127.0.0.1:${this.#port}`],
      logFile: this.logFile,
      env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE },
    });
    try {
      await this.#waitReady(processes);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops Verdaccio and deletes its directory, storage included. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #waitReady(processes: ProcessGroup): Promise<void> {
    const deadline = Date.now() + this.#readyTimeoutMs;
    while (Date.now() < deadline) {
      processes.assertRunning();
      try {
        if ((await fetch(`${this.url}-/ping`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(25);
    }
    throw new Error(`verdaccio not ready on ${this.url} within ${this.#readyTimeoutMs} ms:\n${tail(this.logFile, 20)}`);
  }

  /**
   * `npm login`'s request, with basic auth: Verdaccio checks the password against htpasswd and answers
   * with a token (without the header it takes the request for a sign-up, which the config refuses).
   */
  async #login(): Promise<string> {
    const { username, password } = this.credentials;
    const basic = Buffer.from(`${username}:${password}`).toString('base64');
    const res = await fetch(`${this.url}-/user/org.couchdb.user:${encodeURIComponent(username)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Basic ${basic}` },
      body: JSON.stringify({ _id: `org.couchdb.user:${username}`, name: username, password, type: 'user', roles: [] }),
    });
    const body = await res.text();
    const token = res.ok ? (JSON.parse(body) as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token === '') {
      throw new Error(
        `verdaccio login as ${username}: HTTP ${res.status}, no token:\n${body}\n` + tail(this.logFile, 10),
      );
    }
    return token;
  }
}

/**
 * The registry and CA file npm uses on this machine, for the uplink to reach the same registry the same way.
 * Without a cafile (npm run by Node 24 here reads no global npmrc) both rely on NODE_EXTRA_CA_CERTS, which
 * the Verdaccio child inherits.
 */
async function npmUpstream(): Promise<{ url: string; ca: string | undefined }> {
  const { stdout } = await run('npm', ['config', 'get', 'registry', 'cafile']);
  const values = new Map(
    stdout.split('\n').map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()] as const;
    }),
  );
  const url = values.get('registry');
  if (!url || !/^https?:\/\//.test(url)) throw new Error(`npm config get registry: no registry URL in:\n${stdout}`);
  const cafile = values.get('cafile');
  const ca = cafile && cafile !== 'null' && cafile !== 'undefined' ? readFileSync(cafile, 'utf8') : undefined;
  return { url: url.endsWith('/') ? url : `${url}/`, ca };
}

function fixturePackageNames(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => readFileSync(join(FIXTURES, entry.name, 'package.json'), 'utf8'))
    .map((json) => (JSON.parse(json) as { name: string }).name);
}

function verdaccioConfig(init: {
  dir: string;
  htpasswd: string;
  upstream: { url: string; ca: string | undefined } | undefined;
  localOnly: readonly string[];
}): Record<string, unknown> {
  const local = { access: '$all', publish: '$authenticated', unpublish: '$authenticated' };
  const everything = init.upstream ? { ...local, proxy: 'upstream' } : local;
  const packages: Record<string, unknown> = {
    // Never proxied: a private package's name must not leak to, nor be answered by, the public registry.
    [`${PRIVATE_SCOPE}/*`]: { access: '$authenticated', publish: '$authenticated', unpublish: '$authenticated' },
  };
  for (const name of init.localOnly) packages[name] = local;
  packages['@*/*'] = everything;
  packages['**'] = everything;
  return {
    storage: join(init.dir, 'storage'),
    // No sign-up: the one user is the one written to htpasswd.
    auth: { htpasswd: { file: init.htpasswd, max_users: -1 } },
    uplinks: init.upstream
      ? {
          upstream: {
            url: init.upstream.url,
            timeout: '60s',
            max_fails: 5,
            fail_timeout: '10s',
            ...(init.upstream.ca ? { ca: init.upstream.ca } : {}),
          },
        }
      : {},
    packages,
    // Publishing must not depend on the public registry being reachable.
    publish: { allow_offline: true },
    max_body_size: '200mb',
    web: { enable: false },
    // One line per request in the log file, whose tail start and failures show; nothing on the terminal.
    log: { type: 'stdout', format: 'json', level: 'http' },
  };
}
