// The operator started from its image with podman, as the chart runs it: host network (the
// harness's control plane, Git server and chart repository listen on loopback), read-only root
// filesystem (a tmpfs at /tmp, a directory of its own at /var/cache/keelson), uid 10001, no capabilities.
// podman on this machine needs runc, cgroupfs and explicit ulimits (crun fails on its cgroups).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PODMAN_GLOBAL = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
// A container may not get more than its starter has; podman here refuses nproc above 32768 even below
// the hard limit, so that is the ceiling.
const ULIMITS = ['--ulimit', `nofile=${hardLimit('Max open files', 65536)}`];
ULIMITS.push('--ulimit', `nproc=${hardLimit('Max processes', 32768)}`);

/** `<n>:<n>` for one of this process's limits: its hard limit, at most `ceiling`. */
function hardLimit(name: string, ceiling: number): string {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(name));
  const hard = line?.slice(name.length).trim().split(/\s+/)[1];
  if (!hard) throw new Error(`/proc/self/limits has no "${name}" line`);
  const value = hard === 'unlimited' ? ceiling : Math.min(Number(hard), ceiling);
  return `${value}:${value}`;
}

/** Runs `podman <args>` with this machine's runtime settings (and ulimits for `run`). */
export function podman(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const full = args[0] === 'run' ? ['run', ...ULIMITS, ...args.slice(1)] : [...args];
  return run('podman', [...PODMAN_GLOBAL, ...full], { maxBuffer: 16 * 1024 * 1024 });
}

/** How the container reaches the API server. */
export type ImageConnection =
  /** A kubeconfig file uid 10001 may read; mounted read-only at /etc/keelson/kubeconfig. */
  | { readonly kubeconfig: string }
  /**
   * As in a pod: a folder with the service account's `token` and `ca.crt` mounted where the
   * kubelet mounts it, and KUBERNETES_SERVICE_HOST and _PORT naming the API server.
   */
  | { readonly serviceAccountDir: string; readonly server: URL };

export interface ImageOperatorOptions {
  readonly image: string;
  readonly connection: ImageConnection;
  readonly args?: readonly string[];
}

function connectionArgs(c: ImageConnection): { podman: string[]; operator: string[] } {
  if ('kubeconfig' in c)
    return {
      podman: [`--volume=${c.kubeconfig}:/etc/keelson/kubeconfig:ro`],
      operator: ['--kubeconfig=/etc/keelson/kubeconfig'],
    };
  return {
    podman: [
      `--volume=${c.serviceAccountDir}:/var/run/secrets/kubernetes.io/serviceaccount:ro`,
      `--env=KUBERNETES_SERVICE_HOST=${c.server.hostname}`,
      `--env=KUBERNETES_SERVICE_PORT=${c.server.port}`,
    ],
    operator: [],
  };
}

export class ImageOperator {
  readonly name = `keelson-e2e-${randomBytes(4).toString('hex')}`;
  readonly logFile: string;
  readonly cacheDir: string;
  metricsPort = 0;
  apiPort = 0;
  #child: ChildProcess | undefined;
  readonly #options: ImageOperatorOptions;

  constructor(options: ImageOperatorOptions) {
    this.#options = options;
    const dir = mkdtempSync(join(tmpdir(), 'keelson-image-operator-'));
    this.logFile = join(dir, 'operator.log');
    // The cache, as the pod's emptyDir: a fresh directory the operator's user owns.
    this.cacheDir = join(dir, 'cache');
    mkdirSync(this.cacheDir);
    chownSync(this.cacheDir, 10001, 10001);
  }

  /** Starts the container and waits until the operator's /healthz answers. */
  async start(): Promise<void> {
    const o = this.#options;
    const connection = connectionArgs(o.connection);
    const fd = openSync(this.logFile, 'a');
    this.#child = spawn(
      'podman',
      [
        ...PODMAN_GLOBAL,
        'run',
        ...ULIMITS,
        '--rm',
        `--name=${this.name}`,
        '--network=host',
        '--read-only',
        '--user=10001:10001',
        '--cap-drop=ALL',
        '--security-opt=no-new-privileges',
        `--volume=${this.cacheDir}:/var/cache/keelson`,
        ...connection.podman,
        o.image,
        'operator',
        ...connection.operator,
        '--listen=127.0.0.1:0',
        '--metrics-listen=127.0.0.1:0',
        '--cache-dir=/var/cache/keelson',
        `--identity=${this.name}`,
        '--log-level=debug',
        ...(o.args ?? []),
      ],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null)
        throw new Error(`the operator's container exited with ${this.#child.exitCode}:\n${this.logs().slice(-3000)}`);
      const ports = this.#servingPorts();
      if (ports) {
        [this.metricsPort, this.apiPort] = ports;
        const res = await fetch(`http://127.0.0.1:${this.metricsPort}/healthz`).catch(() => undefined);
        if (res?.ok) return;
      }
      await sleep(250);
    }
    throw new Error(`the operator in ${this.name} did not answer /healthz within 90 s:\n${this.logs().slice(-3000)}`);
  }

  /** Waits until /readyz says the controllers run. */
  async waitLeading(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await fetch(`http://127.0.0.1:${this.metricsPort}/readyz`).catch(() => undefined);
      if (res?.ok && (await res.text()).startsWith('ok')) return;
      await sleep(250);
    }
    throw new Error(`the operator in ${this.name} did not start its controllers within ${timeoutMs} ms`);
  }

  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the container (SIGTERM, then podman's timeout) and waits for it to go. */
  async stop(): Promise<void> {
    if (!this.#child || this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child!.once('exit', resolve));
    await podman(['stop', '--time=30', this.name]).catch(() => undefined);
    await exited;
  }

  #servingPorts(): [number, number] | undefined {
    for (const line of this.logs().split('\n')) {
      if (!line.includes('"keelson operator serving"')) continue;
      const { metricsPort, apiPort } = JSON.parse(line) as { metricsPort?: number; apiPort?: number };
      if (metricsPort && apiPort) return [metricsPort, apiPort];
    }
    return undefined;
  }
}
