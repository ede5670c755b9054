// Brings an end-to-end story to a named point, so that each case sets up the state it needs
// and runs alone (`--test-name-pattern`) or in any order. The points follow the story: the
// first starts a fresh story, each later one is reached from the one before it. A case asks
// for the point it needs and says where it leaves the story and what it changes; the story
// it finds is reused when it can be brought forward to that point, and set up afresh when it
// has gone past it, when an earlier case changed what this one needs untouched, or when a
// case (or a step towards a point) failed half-way and nobody knows where it stands.

export interface StoryPoint<P extends string> {
  readonly name: P;
  /** Brings the story here from the point before (the first point: sets up a fresh story). */
  readonly reach: () => Promise<void>;
  /** What reaching this point changes (see `AtOptions.spends`). */
  readonly spends?: readonly string[];
}

export interface AtOptions<P extends string> {
  /** Any later point will do as well: the case needs what the point brought, not its exact state. */
  readonly orLater?: boolean;
  /** What the case needs as the story began: names that no earlier step may have spent. */
  readonly unspent?: readonly string[];
  /** Where the case leaves the story when it passes; by default where it found it. */
  readonly leaves?: P;
  /** What the case changes, for later cases that need it unspent; `'*'` leaves nothing to reuse. */
  readonly spends?: readonly string[];
}

export class StoryPoints<P extends string> {
  readonly #points: readonly StoryPoint<P>[];
  readonly #stop: () => Promise<void>;
  /** Index of the point the story is at; -1: no story, or one in an unknown state. */
  #at = -1;
  #live = false;
  #spent = new Set<string>();
  /** Where the running case leaves the story, applied when it passes. */
  #outcome: { at: number; spends: readonly string[] } | undefined;

  /** `stop` tears the current story down; it is called only when one was set up. */
  constructor(points: readonly StoryPoint<P>[], stop: () => Promise<void>) {
    this.#points = points;
    this.#stop = stop;
  }

  /** Brings the story to `point` (or, with `orLater`, leaves it at a later one). */
  async at(point: P, options: AtOptions<P> = {}): Promise<void> {
    const target = this.#index(point);
    const unspent = options.unspent ?? [];
    const reusable =
      this.#at >= 0 &&
      (this.#at <= target || options.orLater === true) &&
      !this.#spent.has('*') &&
      !unspent.some((what) => this.#spent.has(what));
    if (!reusable) await this.#fresh();
    while (this.#at < target) await this.#step(this.#at + 1);
    const leaves = options.leaves === undefined ? this.#at : this.#index(options.leaves);
    this.#outcome = { at: leaves, spends: options.spends ?? [] };
    this.#at = -1; // unknown until the case has passed
  }

  /** Call after each case (`afterEach((t) => points.done(t.passed))`). */
  done(passed: boolean): void {
    if (passed && this.#outcome) {
      this.#at = this.#outcome.at;
      for (const what of this.#outcome.spends) this.#spent.add(what);
    }
    this.#outcome = undefined;
  }

  /** Tears the current story down, if there is one (in `after`). */
  async close(): Promise<void> {
    this.#at = -1;
    if (!this.#live) return;
    this.#live = false;
    await this.#stop();
  }

  async #fresh(): Promise<void> {
    await this.close();
    this.#spent = new Set();
    this.#live = true;
    await this.#step(0);
  }

  async #step(index: number): Promise<void> {
    const point = this.#points[index]!;
    this.#at = -1;
    await point.reach();
    for (const what of point.spends ?? []) this.#spent.add(what);
    this.#at = index;
  }

  #index(point: P): number {
    const index = this.#points.findIndex((p) => p.name === point);
    if (index < 0) throw new Error(`no story point ${point}`);
    return index;
  }
}
