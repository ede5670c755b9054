// A commit re-synthesizes only what it touches (ADR 0022): the last synthesis of each
// repository, path and environment is kept with what it read, and a new revision whose tree
// gives the same digests for all of it reuses that result instead of synthesizing again. The
// result is then the same objects, so the Environment's desired state (and its hash) does not
// change: it is compared from the watch cache, not synced, and records the new revision.
import type { SourceTree } from '../../core/source.ts';
import type { SynthesisResult } from '../../core/synthesis.ts';
import { firstChangedInput, type SynthesisInputs } from '../../core/synthesis-inputs.ts';

export interface RecordedSynthesis {
  readonly result: SynthesisResult;
  readonly inputs: SynthesisInputs;
}

export interface ReusedSynthesis {
  readonly result: SynthesisResult;
  /** The revision whose synthesis was reused, or undefined when this one synthesized. */
  readonly reusedFrom?: string;
  /** Why it could not reuse: the first input that changed (`f:main.ts`), or why there was nothing to reuse. */
  readonly changed?: string;
}

/** The last synthesis of a scope, at the latest revision known to read the same (`from`: the one before). */
type Entry = RecordedSynthesis & { readonly revision: string; readonly from?: string };

export class SynthesisReuse {
  readonly #max: () => number;
  readonly #last = new Map<string, Entry>();
  /** The images files of the latest revisions looked at, parsed once for all their Environments. */
  readonly #json = new Map<string, Promise<unknown>>();

  /**
   * @param max scopes (repository, path, environment) remembered, least recently used out
   * first; a function when it follows the fleet (each Environment needs its own to be reused)
   */
  constructor(max: number | (() => number)) {
    this.#max = typeof max === 'number' ? () => max : max;
  }

  /**
   * The synthesis of `tree` for `scope`: the last one's result when none of its inputs changed
   * at `tree`, else `synthesize()`'s (remembered when it succeeds). A tree of a directory on disk
   * (`dir:`) always synthesizes.
   */
  async synthesize(
    scope: string,
    tree: SourceTree,
    synthesize: () => Promise<RecordedSynthesis>,
  ): Promise<ReusedSynthesis> {
    const cacheable = !tree.revision.startsWith('dir:');
    const { entry, changed } = cacheable ? await this.#check(scope, tree) : { entry: undefined, changed: undefined };
    if (entry) {
      this.#remember(scope, entry);
      return { result: entry.result, reusedFrom: entry.from ?? entry.revision };
    }
    const fresh = await synthesize();
    if (cacheable) this.#remember(scope, { ...fresh, revision: tree.revision });
    return { result: fresh.result, changed };
  }

  /**
   * Whether `tree` changes an input of the last synthesis of `scope` (true when there is none
   * to compare with): what orders the reconciles a new commit starts, touched ones first. An
   * untouched one is remembered at `tree`'s revision, so its reconcile does not compare again.
   */
  async touches(scope: string, tree: SourceTree): Promise<boolean> {
    return (await this.#check(scope, tree)).entry === undefined;
  }

  /**
   * The entry of `scope`, moved to `tree`'s revision, when `tree` changes none of its inputs;
   * else the first input that changed.
   */
  async #check(scope: string, tree: SourceTree): Promise<{ entry?: Entry; changed?: string }> {
    const last = this.#last.get(scope);
    if (!last) return { changed: 'no earlier synthesis' };
    if (last.revision === tree.revision) return { entry: last };
    const changed = await firstChangedInput(last.inputs, tree, (file) => this.#readJson(tree, file));
    if (changed !== undefined) return { changed };
    const entry: Entry = { ...last, revision: tree.revision, from: last.revision };
    this.#remember(scope, entry);
    return { entry };
  }

  get size(): number {
    return this.#last.size;
  }

  #readJson(tree: SourceTree, file: string): Promise<unknown> {
    if (tree.revision.startsWith('dir:')) return readJson(tree, file);
    const key = `${tree.revision}\0${file}`;
    let parsed = this.#json.get(key);
    if (!parsed) {
      parsed = readJson(tree, file);
      parsed.catch(() => this.#json.delete(key));
      this.#json.set(key, parsed);
      if (this.#json.size > 8) this.#json.delete(this.#json.keys().next().value!);
    }
    return parsed;
  }

  #remember(scope: string, entry: RecordedSynthesis & { readonly revision: string }): void {
    this.#last.delete(scope);
    this.#last.set(scope, entry);
    const max = this.#max();
    while (this.#last.size > max) this.#last.delete(this.#last.keys().next().value!);
  }
}

/** The file parsed as JSON; its text when it is not JSON (a digest then differs), undefined when absent. */
async function readJson(tree: SourceTree, file: string): Promise<unknown> {
  const bytes = await tree.readFile(file);
  if (bytes === undefined) return undefined;
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
