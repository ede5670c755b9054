// The operator as its own process, run from the runtime tree the image is built from:
// what the end-to-end tests start, SIGKILL in the middle of a sync, and start again.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OPERATOR_V8_FLAGS } from '../../operator/src/operator-v8-flags.ts';
import { ensureBinaries } from './binaries.ts';
import { runtimeTree, type RuntimeTree } from './runtime-tree.ts';

export interface OperatorProcessOptions {
  readonly kubeconfig: string;
  readonly args?: readonly string[];
  /** Shared between restarts so the Git cache survives, like the pod's emptyDir. */
  readonly cacheDir?: string;
  readonly identity?: string;
  /** The runtime tree to run: another commit's (runtimeTreeAt) for an upgrade. @default this checkout's */
  readonly tree?: RuntimeTree;
}

export class OperatorProcess {
  readonly logFile: string;
  readonly cacheDir: string;
  metricsPort = 0;
  apiPort = 0;
  #child: ChildProcess | undefined;
  #exit: Promise<number | null> | undefined;
  readonly #options: OperatorProcessOptions;

  constructor(options: OperatorProcessOptions) {
    this.#options = options;
    const dir = mkdtempSync(join(tmpdir(), 'keelson-operator-'));
    this.logFile = join(dir, 'operator.log');
    this.cacheDir = options.cacheDir ?? join(dir, 'cache');
  }

  /** Starts the process and waits until /healthz answers. */
  async start(): Promise<void> {
    const tree = this.#options.tree ?? (await runtimeTree());
    const bin = await ensureBinaries();
    // Port 0: the operator listens on free ports and logs them (a port picked here could be
    // taken by another process before the operator binds it).
    const logged = this.logs().length;
    const fd = openSync(this.logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        // The image's V8 flags, then any of KEELSON_OPERATOR_NODE_ARGS (the last one given wins).
        ...OPERATOR_V8_FLAGS,
        ...(process.env.KEELSON_OPERATOR_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        tree.bin,
        'operator',
        `--kubeconfig=${this.#options.kubeconfig}`,
        '--listen=127.0.0.1:0',
        '--metrics-listen=127.0.0.1:0',
        `--cache-dir=${this.cacheDir}`,
        `--identity=${this.#options.identity ?? 'keelson-test'}`,
        '--log-level=debug',
        `--helm=${bin.helm}`,
        `--kustomize=${bin.kustomize}`,
        ...(this.#options.args ?? []),
      ],
      {
        stdio: ['ignore', fd, fd],
        // KEELSON_OPERATOR_NODE_OPTIONS reaches the operator only (say, --cpu-prof to profile it).
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_OPTIONS: ['--disable-warning=ExperimentalWarning', process.env.KEELSON_OPERATOR_NODE_OPTIONS]
            .filter(Boolean)
            .join(' '),
        },
      },
    );
    closeSync(fd);
    this.#child = child;
    this.#exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`the operator exited with ${child.exitCode}:\n${this.logs().slice(-3000)}`);
      const serving = this.#servingPorts(logged);
      try {
        if (serving) {
          [this.metricsPort, this.apiPort] = serving;
          if ((await fetch(`http://127.0.0.1:${this.metricsPort}/healthz`)).ok) return;
        }
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`the operator did not answer /healthz within 60 s:\n${this.logs().slice(-3000)}`);
  }

  /** The ports of the "keelson operator serving" line logged after `from`, once it is there. */
  #servingPorts(from: number): [number, number] | undefined {
    for (const line of this.logs().slice(from).split('\n')) {
      if (!line.includes('"keelson operator serving"')) continue;
      const { metricsPort, apiPort } = JSON.parse(line) as { metricsPort?: number; apiPort?: number };
      if (metricsPort && apiPort) return [metricsPort, apiPort];
    }
    return undefined;
  }

  /** Waits until /readyz says the controllers run (this replica leads). */
  async waitLeading(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await fetch(`http://127.0.0.1:${this.metricsPort}/readyz`).catch(() => undefined);
      if (res?.ok && (await res.text()).startsWith('ok')) return;
      await sleep(200);
    }
    throw new Error('the operator did not start its controllers in time');
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
  }

  /** SIGKILL: no graceful stop, nothing finished or released. */
  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#exit;
  }

  /** SIGSTOP: the process freezes (a stalled node, a long GC pause); resume() goes on where it stopped. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** SIGTERM and wait for the graceful stop; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.#child || this.#child.exitCode !== null) return this.#child?.exitCode ?? null;
    this.#child.kill('SIGTERM');
    return this.#exit!;
  }
}
