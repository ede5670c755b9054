// A work queue of object keys in the manner of client-go's: a key waits in the queue at
// most once however often it is added; a key is never handled by two workers at once (an
// add while it is being handled runs it again afterwards); failures retry with a per-key
// exponential backoff; and every handled key can ask to come back after a delay, which is
// how periodic requeues (with jitter) keep a missed watch event from stranding an object.
// Keys wait in one of three lanes:
// - high: work already under way (an Environment's sync waiting on a hook or health) goes
//   ahead of work not begun, so a fleet of ten thousand first reconciles does not leave each
//   started sync waiting behind all the others; it takes all workers but one while normal
//   keys wait, so new work still moves;
// - normal: the rest;
// - low: taken only when no other key waits or is being handled (work that changes nothing,
//   such as Environments recording a revision that touched none of their inputs, goes after
//   the rest and does not compete with it for the API server).

/** Where a key waits: high before normal before low. */
export type Lane = 'high' | 'normal' | 'low';

const RANK: Record<Lane, number> = { high: 2, normal: 1, low: 0 };

/** What a handled key asks for next; `lane` is where it waits when the delay is over. @default normal */
export type Requeue =
  | { readonly kind: 'done' }
  | { readonly kind: 'after'; readonly delayMs: number; readonly lane?: Lane }
  | { readonly kind: 'backoff' };

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
  readonly #lanes: Record<Lane, string[]> = { high: [], normal: [], low: [] };
  /** Key → the lane it waits in. */
  readonly #queued = new Map<string, Lane>();
  /** Key being handled → the lane it was taken from. */
  readonly #processing = new Map<string, Lane>();
  /** Key added while being handled → the highest lane it was added to. */
  readonly #dirty = new Map<string, Lane>();
  readonly #timers = new Map<string, { at: number; lane: Lane; timer: NodeJS.Timeout }>();
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
   * Queues a key now in `lane` (a no-op when it already waits in that lane or a higher one; a
   * key waiting in a lower lane moves up).
   */
  add(key: string, lane: Lane = 'normal'): void {
    // A key due back in a higher lane (a sync under way) keeps it when an event brings it sooner.
    // (Only high carries over: a periodic requeue's normal lane must not lift a low add.)
    if (this.#cancelTimer(key) === 'high') lane = 'high';
    if (this.#processing.has(key)) {
      this.#dirty.set(key, higher(this.#dirty.get(key), lane));
      return;
    }
    const waiting = this.#queued.get(key);
    if (waiting !== undefined && RANK[waiting] >= RANK[lane]) return;
    if (waiting !== undefined) this.#lanes[waiting].splice(this.#lanes[waiting].indexOf(key), 1);
    this.#queued.set(key, lane);
    this.#lanes[lane].push(key);
    this.#pump();
  }

  /** Queues a key after a delay; an earlier pending delay for the same key wins, in the higher of the two lanes. */
  addAfter(key: string, delayMs: number, lane: Lane = 'normal'): void {
    if (delayMs <= 0) return this.add(key, lane);
    const at = Date.now() + delayMs;
    const existing = this.#timers.get(key);
    if (existing && existing.at <= at) {
      existing.lane = higher(existing.lane, lane);
      return;
    }
    if (existing) clearTimeout(existing.timer);
    const entry = {
      at,
      lane: higher(existing?.lane, lane),
      timer: setTimeout(() => {
        this.#timers.delete(key);
        this.add(key, entry.lane);
      }, delayMs),
    };
    entry.timer.unref();
    this.#timers.set(key, entry);
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
    const lane = this.#queued.get(key);
    if (lane === undefined) return;
    this.#queued.delete(key);
    this.#lanes[lane].splice(this.#lanes[lane].indexOf(key), 1);
  }

  get length(): number {
    return this.#queued.size;
  }

  /** Resolves when no key is queued or being handled (timers may still be pending). */
  idle(): Promise<void> {
    if (this.#workers === 0 && (this.length === 0 || !this.#running)) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves when no key that `matches` is being handled (say, the keys of a shard being handed back). */
  settled(matches: (key: string) => boolean): Promise<void> {
    if (![...this.#processing.keys()].some(matches)) return Promise.resolve();
    return new Promise((resolve) => this.#settleWaiters.push({ matches, resolve }));
  }

  #pump(): void {
    while (this.#running && this.#workers < this.#options.concurrency) {
      const lane = this.#nextLane();
      const key = lane && this.#lanes[lane].shift();
      if (!lane || key === undefined) break;
      this.#queued.delete(key);
      this.#processing.set(key, lane);
      this.#workers++;
      void this.#work(key);
    }
  }

  #nextLane(): Lane | undefined {
    const { high, normal, low } = this.#lanes;
    if (high.length > 0) {
      let highBusy = 0;
      for (const lane of this.#processing.values()) if (lane === 'high') highBusy++;
      if (normal.length === 0 || highBusy < Math.max(1, this.#options.concurrency - 1)) return 'high';
    }
    if (normal.length > 0) return 'normal';
    if (high.length > 0 || low.length === 0) return undefined;
    for (const lane of this.#processing.values()) if (lane !== 'low') return undefined;
    return 'low';
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
    this.#workers--;
    for (const waiter of this.#settleWaiters.splice(0))
      if ([...this.#processing.keys()].some(waiter.matches)) this.#settleWaiters.push(waiter);
      else waiter.resolve();
    if (this.#running) this.#follow(key, next);
    const dirty = this.#dirty.get(key);
    if (dirty !== undefined) {
      this.#dirty.delete(key);
      this.add(key, dirty);
    }
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
    if (next.kind === 'after') this.addAfter(key, next.delayMs, next.lane);
  }

  /** Cancels the key's pending timer; returns the lane it would have queued the key in. */
  #cancelTimer(key: string): Lane | undefined {
    const existing = this.#timers.get(key);
    if (!existing) return undefined;
    clearTimeout(existing.timer);
    this.#timers.delete(key);
    return existing.lane;
  }
}

function higher(a: Lane | undefined, b: Lane): Lane {
  return a !== undefined && RANK[a] > RANK[b] ? a : b;
}
