// A work queue of object keys in the manner of client-go's: a key waits in the queue at
// most once however often it is added; a key is never handled by two workers at once (an
// add while it is being handled runs it again afterwards); failures retry with a per-key
// exponential backoff; and every handled key can ask to come back after a delay, which is
// how periodic requeues (with jitter) keep a missed watch event from stranding an object. Keys
// added to the low lane wait until no other key is queued or being handled (work that changes
// nothing, such as Environments recording a revision that touched none of their inputs, goes
// after the rest, and does not compete with it for the API server).

/** What a handled key asks for next. */
export type Requeue =
  { readonly kind: 'done' } | { readonly kind: 'after'; readonly delayMs: number } | { readonly kind: 'backoff' };

export type KeyHandler = (key: string) => Promise<Requeue>;

export interface WorkQueueOptions {
  /** Keys handled at once. @default 2 */
  readonly concurrency?: number;
  /** First retry delay after a failure. @default 500 ms */
  readonly baseDelayMs?: number;
  /** Longest retry delay. @default 5 min */
  readonly maxDelayMs?: number;
  /** Called when a handler throws (the key is retried with backoff). */
  readonly onError?: (key: string, err: unknown) => void;
}

export class WorkQueue {
  readonly #handler: KeyHandler;
  readonly #options: Required<Omit<WorkQueueOptions, 'onError'>> & Pick<WorkQueueOptions, 'onError'>;
  readonly #queue: string[] = [];
  /** Keys queued in the low lane, taken only when #queue is empty. */
  readonly #low: string[] = [];
  /** Keys of the low lane being handled. */
  readonly #lowProcessing = new Set<string>();
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #failures = new Map<string, number>();
  readonly #idleWaiters: (() => void)[] = [];
  readonly #settleWaiters: { matches: (key: string) => boolean; resolve: () => void }[] = [];
  #running = false;
  #workers = 0;

  constructor(handler: KeyHandler, options: WorkQueueOptions = {}) {
    this.#handler = handler;
    this.#options = {
      concurrency: options.concurrency ?? 2,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 300_000,
      onError: options.onError,
    };
  }

  start(): void {
    this.#running = true;
    this.#pump();
  }

  /** Stops taking keys and waits for the keys being handled to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await this.idle();
  }

  /**
   * Queues a key now (a no-op when it is already waiting; a key waiting in the low lane moves
   * up when added to the normal one). `low`: after every key of the normal lane.
   */
  add(key: string, lane: 'normal' | 'low' = 'normal'): void {
    this.#cancelTimer(key);
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) {
      const at = lane === 'normal' ? this.#low.indexOf(key) : -1;
      if (at >= 0) {
        this.#low.splice(at, 1);
        this.#queue.push(key);
      }
      return;
    }
    this.#queued.add(key);
    (lane === 'low' ? this.#low : this.#queue).push(key);
    this.#pump();
  }

  /** Queues a key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const existing = this.#timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, { at, timer });
  }

  /** Queues a key after its backoff delay (which doubles with each failure); returns the delay. */
  addRateLimited(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const delay = Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** failures);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets a key's backoff. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Drops a key: it is not queued, its timer is cancelled and its backoff forgotten. */
  remove(key: string): void {
    this.#cancelTimer(key);
    this.#failures.delete(key);
    this.#dirty.delete(key);
    if (!this.#queued.delete(key)) return;
    const lane = this.#queue.includes(key) ? this.#queue : this.#low;
    lane.splice(lane.indexOf(key), 1);
  }

  get length(): number {
    return this.#queue.length + this.#low.length;
  }

  /** Resolves when no key is queued or being handled (timers may still be pending). */
  idle(): Promise<void> {
    if (this.#workers === 0 && (this.length === 0 || !this.#running)) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves when no key that `matches` is being handled (say, the keys of a shard being handed back). */
  settled(matches: (key: string) => boolean): Promise<void> {
    if (![...this.#processing].some(matches)) return Promise.resolve();
    return new Promise((resolve) => this.#settleWaiters.push({ matches, resolve }));
  }

  #pump(): void {
    while (this.#running && this.#workers < this.#options.concurrency) {
      const normalBusy = this.#processing.size > this.#lowProcessing.size;
      const lane = this.#queue.length > 0 ? this.#queue : normalBusy ? undefined : this.#low;
      const key = lane?.shift();
      if (key === undefined) break;
      if (lane === this.#low) this.#lowProcessing.add(key);
      this.#queued.delete(key);
      this.#processing.add(key);
      this.#workers++;
      void this.#work(key);
    }
  }

  async #work(key: string): Promise<void> {
    let next: Requeue;
    try {
      next = await this.#handler(key);
    } catch (err) {
      this.#options.onError?.(key, err);
      next = { kind: 'backoff' };
    }
    this.#processing.delete(key);
    this.#lowProcessing.delete(key);
    this.#workers--;
    for (const waiter of this.#settleWaiters.splice(0))
      if ([...this.#processing].some(waiter.matches)) this.#settleWaiters.push(waiter);
      else waiter.resolve();
    if (this.#running) this.#follow(key, next);
    if (this.#dirty.delete(key)) this.add(key);
    this.#pump();
    if (this.#workers === 0 && (this.length === 0 || !this.#running)) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  #follow(key: string, next: Requeue): void {
    if (next.kind === 'backoff') {
      this.addRateLimited(key);
      return;
    }
    this.forget(key);
    if (next.kind === 'after') this.addAfter(key, next.delayMs);
  }

  #cancelTimer(key: string): void {
    const existing = this.#timers.get(key);
    if (existing) {
      clearTimeout(existing.timer);
      this.#timers.delete(key);
    }
  }
}
