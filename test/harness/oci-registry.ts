// A real OCI registry for tests: the CNCF distribution `registry` (built by build-binaries.sh)
// on a loopback port, plain HTTP, filesystem storage in a temporary directory, and htpasswd
// (bcrypt) auth when asked. Charts go in with the real `helm push`.
//
//   const registry = await OciRegistry.start({ htpasswd: { username: 'keelson', password: 's3cret' } });
//   const { ref, digest } = await registry.push(tgz);   // oci://127.0.0.1:40123/charts/podinfo-lite:1.2.0
//   registry.host; registry.registryConfig;             // what helm (and a HelmRepository) need
//   await registry.stop();
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { ensureBinaries } from './binaries.ts';
import { freePort } from './ports.ts';
import { ProcessGroup, tail } from './process-group.ts';

const run = promisify(execFile);
// The registry checks the hash on every request: a low cost keeps tests fast (4 is bcrypt's least).
const BCRYPT_COST = 5;

export interface OciRegistryOptions {
  /** Require this user, checked against a bcrypt htpasswd file. @default no authentication */
  readonly htpasswd?: { readonly username: string; readonly password: string };
  /** Time allowed from start to ready. @default 30_000 */
  readonly readyTimeoutMs?: number;
  /** Keep the directory (storage, config, log) after stop. @default false */
  readonly keepDir?: boolean;
}

export interface PushedChart {
  /** The chart's reference with its tag, e.g. `oci://127.0.0.1:40123/charts/podinfo-lite:1.2.0`. */
  readonly ref: string;
  /** The manifest digest `helm push` reported, `sha256:…`. */
  readonly digest: string;
}

export class OciRegistry {
  readonly dir: string;
  /** `127.0.0.1:<port>`, as in `oci://<host>/charts/<name>`. */
  readonly host: string;
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  /** Helm's registry config (logged in when auth is on): pass it as `--registry-config`. */
  readonly registryConfig: string;
  readonly logFile: string;
  readonly #helm: string;
  readonly #processes: ProcessGroup;
  readonly #keepDir: boolean;
  #loggedIn = false;

  private constructor(init: {
    dir: string;
    host: string;
    helm: string;
    processes: ProcessGroup;
    keepDir: boolean;
    credentials: OciRegistry['credentials'];
  }) {
    this.dir = init.dir;
    this.host = init.host;
    this.#helm = init.helm;
    this.#processes = init.processes;
    this.#keepDir = init.keepDir;
    this.credentials = init.credentials;
    this.registryConfig = join(init.dir, 'helm', 'registry.json');
    this.logFile = join(init.dir, 'registry.log');
  }

  static async start(options: OciRegistryOptions = {}): Promise<OciRegistry> {
    const bin = await ensureBinaries();
    const dir = mkdtempSync(join(tmpdir(), 'keelson-oci-'));
    mkdirSync(join(dir, 'helm'));
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const auth = options.htpasswd;
    if (auth) {
      const line = `${auth.username}:${bcrypt.hashSync(auth.password, BCRYPT_COST)}\n`;
      writeFileSync(join(dir, 'htpasswd'), line, { mode: 0o600 });
    }
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      JSON.stringify({
        version: 0.1,
        log: { level: 'info', accesslog: { disabled: false } },
        storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
        http: { addr: host, secret: randomBytes(16).toString('hex') },
        ...(auth ? { auth: { htpasswd: { realm: 'keelson-test-oci', path: join(dir, 'htpasswd') } } } : {}),
      }),
    );
    const processes = new ProcessGroup();
    const registry = new OciRegistry({
      dir,
      host,
      helm: bin.helm,
      processes,
      keepDir: options.keepDir ?? false,
      credentials: auth,
    });
    processes.start('registry', bin.registry, {
      args: ['serve', config],
      logFile: registry.logFile,
      // No collector to send traces to: without this the registry retries one on localhost:4318.
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' },
    });
    try {
      await registry.#waitReady(options.readyTimeoutMs ?? 30_000);
    } catch (err) {
      await registry.stop();
      throw err;
    }
    return registry;
  }

  /** Pushes a packaged chart to `oci://<host>/charts` with `helm push`, logging in first when auth is on. */
  async push(chartTgz: string, repository = 'charts'): Promise<PushedChart> {
    await this.login();
    const { stdout, stderr } = await this.helm(['push', chartTgz, `oci://${this.host}/${repository}`, '--plain-http']);
    const out = `${stdout}\n${stderr}`;
    const pushed = /Pushed: (\S+)/.exec(out)?.[1];
    const digest = /Digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1];
    if (!pushed || !digest) throw new Error(`helm push ${chartTgz}: unexpected output:\n${out}`);
    return { ref: `oci://${pushed}`, digest };
  }

  /** `helm registry login` into `registryConfig` (once; nothing to do without auth). */
  async login(): Promise<void> {
    if (!this.credentials || this.#loggedIn) return;
    const { username, password } = this.credentials;
    const args = [
      'registry',
      'login',
      this.host,
      '--plain-http',
      '--username',
      username,
      '--password-stdin',
      '--registry-config',
      this.registryConfig,
    ];
    await new Promise<void>((resolve, reject) => {
      const done = (err: Error | null, _stdout: string, stderr: string) =>
        err ? reject(new Error(`helm registry login: ${stderr || err.message}`)) : resolve();
      const child = execFile(this.#helm, args, { env: this.#env() }, done);
      child.stdin?.end(password);
    });
    this.#loggedIn = true;
  }

  /** Runs helm with this registry's `--registry-config` and private helm homes. */
  helm(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    return run(this.#helm, [...args, '--registry-config', this.registryConfig], { env: this.#env() });
  }

  async stop(): Promise<void> {
    await this.#processes.stop();
    if (!this.#keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  #env(): NodeJS.ProcessEnv {
    const home = join(this.dir, 'helm');
    return { ...process.env, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home };
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.#processes.assertRunning();
      try {
        // /v2/ answers 200, or 401 with auth on, once the registry serves.
        const res = await fetch(`http://${this.host}/v2/`);
        if (res.status === 200 || res.status === 401) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`registry not ready within ${timeoutMs} ms:\n${tail(this.logFile, 20)}`);
  }
}
