// One sandboxed synthesis worker process: spawned with Node's permission model (read access
// to the scratch directory only; no writes, child processes or worker threads), frozen
// intrinsics, a heap limit, an empty environment and the scratch directory as cwd. The parent
// enforces the rest: a time limit, a resident-memory limit and an output cap, each by SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { residentBytes } from '../resident-memory.ts';
import { SynthesisError } from '../../core/synthesis-check.ts';
import type { WorkerMessage, WorkerRequest } from './protocol.ts';

/** V8 flags of each synthesis worker beyond its heap limit (ADR 0024). */
export const SYNTHESIS_WORKER_V8_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=20'] as const;

export type WorkerReply = Exclude<WorkerMessage, { type: 'ready' }>;
export type WorkerReady = Extract<WorkerMessage, { type: 'ready' }>;

export interface WorkerProcessOptions {
  /** The script the process runs (the loader of the runtime bundle), inside scratchDir. */
  readonly entryFile: string;
  /** The only directory the worker may read, and its cwd. */
  readonly scratchDir: string;
  /** V8 heap limit (--max-old-space-size), in MiB. */
  readonly heapLimitMb: number;
  /** Resident set size at which the worker is killed, in MiB. */
  readonly rssLimitMb: number;
  /** How long the worker may take to load the libraries and say ready. */
  readonly startTimeoutMs: number;
  /** Bytes the process may write to stdout/stderr (outside the captured console) before it is killed. */
  readonly maxStdioBytes: number;
}

export class WorkerProcess {
  private readonly options: WorkerProcessOptions;
  private child?: ChildProcess;
  private stdio = '';
  private stdioBytes = 0;
  private killedFor?: SynthesisError;
  private pending?: { id: string; resolve: (r: WorkerReply) => void; reject: (e: Error) => void };

  constructor(options: WorkerProcessOptions) {
    this.options = options;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the process and waits until it is ready; returns its ready message (export names of the provided packages). */
  start(): Promise<WorkerReady> {
    const o = this.options;
    const child = spawn(
      process.execPath,
      [
        '--permission',
        `--allow-fs-read=${o.scratchDir}`,
        '--frozen-intrinsics',
        '--disable-warning=ExperimentalWarning',
        `--max-old-space-size=${o.heapLimitMb}`,
        // A worker's live heap is small and short-lived (one synthesis): grow the heap little
        // past it and keep the young generation small, so a worker stays near its live size.
        ...SYNTHESIS_WORKER_V8_FLAGS,
        '--stack-trace-limit=40',
        o.entryFile,
      ],
      { cwd: o.scratchDir, env: {}, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' },
    );
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => this.onOutput(chunk));
    child.on('message', (m: WorkerMessage) => this.onMessage(m));
    child.on('exit', (code, signal) => this.onExit(code, signal));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill(
          new SynthesisError('WorkerCrashed', `the synthesis worker did not start within ${o.startTimeoutMs} ms`),
        );
      }, o.startTimeoutMs);
      child.once('message', (m: WorkerMessage) => {
        clearTimeout(timer);
        if (m.type === 'ready') resolve(m);
        else reject(new SynthesisError('WorkerCrashed', 'the synthesis worker spoke before it was ready'));
      });
      child.once('exit', () => {
        clearTimeout(timer);
        reject(
          this.killedFor ??
            new SynthesisError(
              'WorkerCrashed',
              `the synthesis worker exited while starting: ${this.stdio.slice(-2000)}`,
            ),
        );
      });
    });
  }

  /** Sends one request and waits for its reply, killing the process at the time or memory limit. */
  request(request: WorkerRequest, timeoutMs: number): Promise<WorkerReply> {
    const child = this.child;
    if (!child || !this.alive)
      return Promise.reject(new SynthesisError('WorkerCrashed', 'the synthesis worker is not running'));
    return new Promise<WorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill(
          new SynthesisError(
            'TimedOut',
            `synthesis did not finish within ${timeoutMs} ms (an endless loop?); the worker was killed`,
          ),
        );
      }, timeoutMs);
      const poll = setInterval(() => this.checkMemory(), 20);
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.pending = undefined;
      };
      this.pending = {
        id: request.id,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      child.send(request);
    });
  }

  /** Kills the process (SIGKILL). */
  stop(): void {
    if (this.alive) this.child!.kill('SIGKILL');
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'ready' || !this.pending || message.id !== this.pending.id) return;
    this.pending.resolve(message);
  }

  private onOutput(chunk: Buffer): void {
    this.stdioBytes += chunk.length;
    this.stdio = (this.stdio + chunk.toString('utf8')).slice(-8192);
    if (this.stdioBytes > this.options.maxStdioBytes) {
      this.kill(
        new SynthesisError(
          'OutputTooLarge',
          `the synthesis worker wrote more than ${this.options.maxStdioBytes} bytes of output; it was killed`,
        ),
      );
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.pending) return;
    const outOfMemory = /heap out of memory|Allocation failed/i.test(this.stdio);
    this.pending.reject(
      this.killedFor ??
        (outOfMemory
          ? new SynthesisError(
              'MemoryExceeded',
              `synthesis ran out of memory (heap limit ${this.options.heapLimitMb} MiB)`,
            )
          : new SynthesisError(
              'WorkerCrashed',
              `the synthesis worker exited (${signal ?? `code ${code}`}) during synthesis${this.stdio ? `: ${this.stdio.slice(-1000)}` : ''}`,
            )),
    );
  }

  private checkMemory(): void {
    const rss = residentBytes(this.child?.pid);
    if (rss > this.options.rssLimitMb * 1024 * 1024) {
      this.kill(
        new SynthesisError(
          'MemoryExceeded',
          `synthesis used ${Math.round(rss / 1048576)} MiB, over the limit of ${this.options.rssLimitMb} MiB; the worker was killed`,
        ),
      );
    }
  }

  private kill(reason: SynthesisError): void {
    this.killedFor ??= reason;
    this.stop();
  }
}
