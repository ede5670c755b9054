// A pool of warm synthesis workers. Each worker has loaded the libraries before it is needed,
// so a synthesis costs milliseconds. A worker runs code of one deploy repository only (its
// isolation key): code left behind by one repository can never see another's. A worker that
// crashed, was killed, left timers or listeners behind, or served maxUses requests is
// replaced, and the pool keeps serving.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SynthesisError } from '../../core/synthesis-check.ts';
import { ensureRuntimeBundle } from './runtime-bundle.ts';
import { WorkerProcess, type WorkerProcessOptions, type WorkerReady, type WorkerReply } from './worker-process.ts';
import { LOADER_SOURCE } from './code-cache.ts';
import type { WorkerRequest } from './protocol.ts';

export interface WorkerPoolOptions {
  /** Worker processes kept running. @default 2 */
  readonly size?: number;
  /** Where the runtime bundle is cached. */
  readonly cacheDir: string;
  /** V8 heap limit of a worker, in MiB. @default 512 */
  readonly heapLimitMb?: number;
  /** Resident memory at which a worker is killed, in MiB. @default heapLimitMb + 256 */
  readonly rssLimitMb?: number;
  /** Requests a worker serves before it is replaced. @default 200 */
  readonly maxUses?: number;
}

interface Slot {
  worker: WorkerProcess;
  starting: Promise<WorkerReady>;
  key?: string;
  busy: boolean;
  uses: number;
}

export class WorkerPool {
  private readonly options: WorkerPoolOptions;
  private readonly slots: Slot[] = [];
  private readonly waiters: (() => void)[] = [];
  private scratchDir = '';
  private loaderFile = '';
  private providedExports: Readonly<Record<string, readonly string[]>> = {};
  private stopped = false;

  constructor(options: WorkerPoolOptions) {
    this.options = options;
  }

  /** Export names of the provided packages (known once start() resolved). */
  get exports(): Readonly<Record<string, readonly string[]>> {
    return this.providedExports;
  }

  /**
   * Builds or finds the runtime bundle and starts the workers. Resolves once the provided
   * packages' export names are known — from the file cached beside the bundle, else from the
   * first worker to be ready — so bundling a deploy repository can overlap the workers' start.
   */
  async start(): Promise<void> {
    const bundle = await ensureRuntimeBundle(this.options.cacheDir);
    this.scratchDir = await mkdtemp(join(tmpdir(), 'keelson-synth-'));
    this.loaderFile = join(this.scratchDir, 'loader.cjs');
    const [, , hasCodeCache] = await Promise.all([
      writeFile(this.loaderFile, LOADER_SOURCE),
      copyFile(bundle, join(this.scratchDir, 'runtime.cjs')),
      copyFile(`${bundle}.v8cache`, join(this.scratchDir, 'runtime.v8cache')).then(
        () => true,
        () => false,
      ),
    ]);
    for (let i = 0; i < (this.options.size ?? 2); i++) this.slots.push(this.spawn());
    const exportsFile = `${bundle}.exports.json`;
    const cached = await readFile(exportsFile, 'utf8').then(
      (t) => JSON.parse(t) as Record<string, string[]>,
      () => undefined,
    );
    if (cached && hasCodeCache) {
      this.providedExports = cached;
      return;
    }
    const first = this.slots[0]!;
    first.busy = true;
    try {
      const ready = await first.starting;
      this.providedExports = ready.exports;
      if (!cached) await writeFile(exportsFile, JSON.stringify(ready.exports));
      if (ready.codeCache !== 'accepted') await this.saveCodeCache(first.worker, `${bundle}.v8cache`);
    } finally {
      first.busy = false;
    }
  }

  /** Resolves once every worker has started (start() itself may resolve before they have). */
  async whenStarted(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.starting.catch(() => undefined)));
  }

  /** Has a fresh worker warm up on the built-in sample and stores its V8 code cache beside the bundle. */
  private async saveCodeCache(worker: WorkerProcess, file: string): Promise<void> {
    const reply = await worker.request(
      { op: 'code-cache', code: '', entry: '', limits: { maxLogBytes: 0, maxResultBytes: 0 }, id: randomUUID() },
      30_000,
    );
    if (reply.type !== 'code-cache' || !reply.data) return;
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.from(reply.data, 'base64'));
    await rename(tmp, file);
  }

  /** Kills every worker and removes the scratch directory. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots) slot.worker.stop();
    for (const wake of this.waiters.splice(0)) wake();
    if (this.scratchDir) await rm(this.scratchDir, { recursive: true, force: true });
  }

  /** Runs one request on a worker bound to `isolationKey` (or a fresh one); the reply, or a SynthesisError. */
  async run(request: Omit<WorkerRequest, 'id'>, isolationKey: string, timeoutMs: number): Promise<WorkerReply> {
    const slot = await this.acquire(isolationKey);
    if (!slot.worker.alive) this.replace(slot, isolationKey);
    let retire: string | undefined;
    try {
      await slot.starting;
      const reply = await slot.worker.request({ ...request, id: randomUUID() }, timeoutMs);
      retire = reply.retire;
      return reply;
    } catch (err) {
      retire = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      slot.uses++;
      if (retire !== undefined || !slot.worker.alive || slot.uses >= (this.options.maxUses ?? 200)) this.replace(slot);
      slot.busy = false;
      this.waiters.shift()?.();
    }
  }

  private async acquire(key: string): Promise<Slot> {
    for (;;) {
      if (this.stopped) throw new SynthesisError('WorkerCrashed', 'the synthesis worker pool is stopped');
      const idle = this.slots.filter((s) => !s.busy);
      const slot = idle.find((s) => s.key === key) ?? idle.find((s) => s.key === undefined) ?? idle[0];
      if (slot) {
        slot.busy = true;
        if (slot.key !== undefined && slot.key !== key) this.replace(slot);
        slot.key = key;
        return slot;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Kills a slot's worker and starts a fresh one in its place. */
  private replace(slot: Slot, key?: string): void {
    slot.worker.stop();
    if (this.stopped) return;
    const fresh = this.spawn();
    slot.worker = fresh.worker;
    slot.starting = fresh.starting;
    slot.key = key;
    slot.uses = 0;
  }

  private spawn(): Slot {
    const heap = this.options.heapLimitMb ?? 512;
    const options: WorkerProcessOptions = {
      entryFile: this.loaderFile,
      scratchDir: this.scratchDir,
      heapLimitMb: heap,
      rssLimitMb: this.options.rssLimitMb ?? heap + 256,
      startTimeoutMs: 30_000,
      maxStdioBytes: 1024 * 1024,
    };
    const worker = new WorkerProcess(options);
    const starting = worker.start();
    starting.catch(() => undefined); // surfaced to the request that awaits it
    return { worker, starting, busy: false, uses: 0 };
  }
}
