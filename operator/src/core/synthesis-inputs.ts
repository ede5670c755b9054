// What one synthesis read of its deploy repository, so that a later revision can tell whether
// it would synthesize the same thing: every file and folder it read (or found missing), each
// with a digest of what it was, and the entry of the images file its environment used. A
// revision whose tree gives the same digests for all of them synthesizes the same objects
// (synthesis is deterministic: no clock, no network, no environment variables; ADR 0022).
import { createHash } from 'node:crypto';
import type { SourceTree, TreeEntry } from './source.ts';

/**
 * Input key → digest: `f:<path>` a file, `d:<path>` a folder's listing, `i:<file>#<environment>`
 * an images entry, `r:` the whole tree (a kustomize build reads across the repository).
 */
export type SynthesisInputs = ReadonlyMap<string, string>;

/** A tree that can name a file without reading it (Git: the blob's object id). */
export interface IdentifyingTree extends SourceTree {
  /** The object id of the file at `path`, or undefined when there is no file there. */
  objectId(path: string): Promise<string | undefined>;
  /** The object id of the root folder: it changes with any file of the tree. */
  rootId(): Promise<string>;
}

const MISSING = '-';

function isIdentifying(tree: SourceTree): tree is IdentifyingTree {
  return typeof (tree as Partial<IdentifyingTree>).objectId === 'function';
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function listingDigest(entries: readonly TreeEntry[] | undefined): string {
  return entries === undefined ? MISSING : sha256(entries.map((e) => `${e.type}:${e.name}`).join('\n'));
}

/** The digest of the images file entry of `environment` (the whole file's when it is not an object of objects). */
export function imagesEntryDigest(content: unknown, environment: string): string {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isRecord(content) || !Object.values(content).every(isRecord)) return sha256(JSON.stringify(content ?? null));
  return sha256(JSON.stringify(content[environment] ?? null));
}

/**
 * A SourceTree that records what is read through it. `parent`, when given, records the same
 * reads (what a cached bundle read is kept with the bundle, and counted for every synthesis
 * that uses it).
 */
export class RecordingTree implements SourceTree {
  readonly revision: string;
  readonly #tree: SourceTree;
  readonly #inputs = new Map<string, Promise<string>>();
  readonly #parent: RecordingTree | undefined;

  constructor(tree: SourceTree, parent?: RecordingTree) {
    this.revision = tree.revision;
    this.#tree = tree;
    this.#parent = parent;
  }

  /** A recorder of its own whose reads this one records too. */
  child(): RecordingTree {
    return new RecordingTree(this.#tree, this);
  }

  async readFile(path: string): Promise<Uint8Array | undefined> {
    const bytes = await this.#tree.readFile(path);
    this.#record(`f:${path}`, () => this.#fileDigest(path, bytes));
    return bytes;
  }

  async readDir(path: string): Promise<readonly TreeEntry[] | undefined> {
    const entries = await this.#tree.readDir(path);
    // A folder's names and kinds, not its contents: those are inputs only where read.
    this.#record(`d:${path}`, () => Promise.resolve(listingDigest(entries)));
    return entries;
  }

  /** Records the whole tree as read: what a kustomize build may read is any file of it. */
  readWholeTree(): void {
    this.#record('r:', () => wholeTreeDigest(this.#tree));
  }

  /** Records an input that is not a plain read (an images file entry). */
  note(key: string, digest: string): void {
    this.#record(key, () => Promise.resolve(digest));
  }

  /** Adds inputs recorded earlier (a cached bundle's). */
  merge(inputs: SynthesisInputs): void {
    for (const [key, digest] of inputs) this.note(key, digest);
  }

  /** What was read so far. */
  async inputs(): Promise<SynthesisInputs> {
    const entries = await Promise.all([...this.#inputs].map(async ([k, d]) => [k, await d] as const));
    return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  #record(key: string, digest: () => Promise<string>): void {
    if (!this.#inputs.has(key)) {
      const pending = digest();
      pending.catch(() => undefined);
      this.#inputs.set(key, pending);
    }
    if (this.#parent) this.#parent.#record(key, () => this.#inputs.get(key)!);
  }

  async #fileDigest(path: string, bytes: Uint8Array | undefined): Promise<string> {
    if (bytes === undefined) return MISSING;
    return isIdentifying(this.#tree) ? ((await this.#tree.objectId(path)) ?? MISSING) : sha256(bytes);
  }
}

/**
 * The first input whose digest at `tree` differs from the recorded one, or undefined when none
 * does: a synthesis of `tree` would read the same bytes. `imagesOf` reads the images file an
 * `i:` key names.
 */
export async function firstChangedInput(
  inputs: SynthesisInputs,
  tree: SourceTree,
  imagesOf: (file: string) => Promise<unknown>,
): Promise<string | undefined> {
  const images = new Map<string, Promise<unknown>>();
  for (const [key, digest] of inputs) {
    if ((await digestAt(key, tree, images, imagesOf)) !== digest) return key;
  }
  return undefined;
}

async function digestAt(
  key: string,
  tree: SourceTree,
  images: Map<string, Promise<unknown>>,
  imagesOf: (file: string) => Promise<unknown>,
): Promise<string> {
  const path = key.slice(2);
  if (key === 'r:') return wholeTreeDigest(tree);
  if (key.startsWith('i:')) {
    const hash = path.lastIndexOf('#');
    const file = path.slice(0, hash);
    if (!images.has(file)) images.set(file, imagesOf(file));
    return imagesEntryDigest(await images.get(file), path.slice(hash + 1));
  }
  if (key.startsWith('d:')) return listingDigest(await tree.readDir(path));
  if (isIdentifying(tree)) return (await tree.objectId(path)) ?? MISSING;
  const bytes = await tree.readFile(path);
  return bytes === undefined ? MISSING : sha256(bytes);
}

/** A digest of every file of the tree: the root's id for a Git tree, else every path and its bytes. */
async function wholeTreeDigest(tree: SourceTree): Promise<string> {
  if (isIdentifying(tree)) return tree.rootId();
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await tree.readDir(dir)) ?? []) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      hash.update(`${entry.type}:${path}\n`);
      if (entry.type === 'dir') await walk(path);
      else hash.update((await tree.readFile(path)) ?? new Uint8Array());
    }
  };
  await walk('');
  return hash.digest('hex');
}
