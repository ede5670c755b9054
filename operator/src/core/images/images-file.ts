// Editing images.json (`{ "<env>": { "<name>": "<reference>" } }`) the way a person would:
// only the changed references' string literals are rewritten, so the file keeps its
// indentation, alignment, key order and final newline byte for byte. Returns the new text
// and what changed; an assignment that is already in place changes nothing.
import type { ImageAssignment } from './image-reference.ts';

export type ImagesFileProblem = 'InvalidJson' | 'InvalidShape' | 'UnknownEnvironment' | 'UnknownImage';

/** The images file cannot take the change; `code` says why, the message names what exists. */
export class ImagesFileError extends Error {
  override readonly name = 'ImagesFileError';
  readonly code: ImagesFileProblem;
  constructor(code: ImagesFileProblem, message: string) {
    super(message);
    this.code = code;
  }
}

export interface ImageChange {
  readonly environment: string;
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

export interface ImagesEdit {
  /** The file's new text (the same text when nothing changed). */
  readonly text: string;
  /** What changed, in the order of the file. Empty: everything was set already. */
  readonly changes: readonly ImageChange[];
  /** Entries that already had their reference. */
  readonly unchanged: readonly Omit<ImageChange, 'from'>[];
}

/** Where one reference string sits in the text: [start, end) of the literal, quotes included. */
interface Entry {
  readonly environment: string;
  readonly name: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Sets each image of `assignments` in `environment`, or, without one, in every environment
 * that declares it. Throws ImagesFileError for a file that is not an images file, an
 * unknown environment, or a name no environment in scope declares (listing those it has).
 */
export function setImages(
  text: string,
  assignments: readonly ImageAssignment[],
  environment?: string,
  file = 'images.json',
): ImagesEdit {
  const entries = scanImagesFile(text, file);
  const environments = [...new Set(entries.map((e) => e.environment))];
  const declared = entries.filter((e) => environment === undefined || e.environment === environment);
  if (environment !== undefined && !environments.includes(environment)) {
    throw new ImagesFileError(
      'UnknownEnvironment',
      `${file} has no environment "${environment}" (it has: ${environments.join(', ') || 'none'})`,
    );
  }
  for (const { name } of assignments) {
    if (declared.some((e) => e.name === name)) continue;
    const names = [...new Set(declared.map((e) => e.name))];
    const scope = environment === undefined ? 'in any environment' : `for environment "${environment}"`;
    throw new ImagesFileError(
      'UnknownImage',
      `${file} has no image "${name}" ${scope} (it has: ${names.join(', ') || 'none'})`,
    );
  }
  const changes: (ImageChange & { start: number; end: number })[] = [];
  const unchanged: Omit<ImageChange, 'from'>[] = [];
  for (const entry of declared) {
    const assignment = assignments.find((a) => a.name === entry.name);
    if (!assignment) continue;
    const { environment: env, name } = entry;
    if (entry.value === assignment.reference) unchanged.push({ environment: env, name, to: entry.value });
    else
      changes.push({
        environment: env,
        name,
        from: entry.value,
        to: assignment.reference,
        start: entry.start,
        end: entry.end,
      });
  }
  let out = text;
  for (const change of [...changes].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, change.start) + JSON.stringify(change.to) + out.slice(change.end);
  }
  return {
    text: out,
    changes: changes.map(({ environment: env, name, from, to }) => ({ environment: env, name, from, to })),
    unchanged,
  };
}

/**
 * The reference entries of an images file with their positions. A key given twice counts
 * once, at its last occurrence (what JSON.parse, and so the kit, reads).
 */
export function scanImagesFile(text: string, file = 'images.json'): Entry[] {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new ImagesFileError('InvalidJson', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  const scanner = new Scanner(text);
  const byKey = new Map<string, Entry>();
  scanner.skipSpace();
  if (scanner.peek() !== '{') throw shape(file, 'expected an object of environment → { image name → reference }');
  scanner.object((environment) => {
    if (scanner.peek() !== '{') throw shape(file, `"${environment}" must be an object of image name → reference`);
    scanner.object((name) => {
      if (scanner.peek() !== '"') throw shape(file, `${environment}.${name} must be a string (an image reference)`);
      const start = scanner.pos;
      const value = scanner.string();
      const key = JSON.stringify([environment, name]);
      byKey.delete(key);
      byKey.set(key, { environment, name, value, start, end: scanner.pos });
    });
  });
  return [...byKey.values()].sort((a, b) => a.start - b.start);
}

function shape(file: string, detail: string): ImagesFileError {
  return new ImagesFileError('InvalidShape', `${file}: ${detail}`);
}

/** Just enough of a JSON reader for text JSON.parse accepted: objects and strings. */
class Scanner {
  pos = 0;
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }

  peek(): string {
    return this.#text[this.pos] ?? '';
  }

  skipSpace(): void {
    while (/\s/.test(this.peek())) this.pos++;
  }

  /** Reads an object, calling `member` with each key and the position at its value. */
  object(member: (key: string) => void): void {
    this.pos++; // {
    this.skipSpace();
    if (this.peek() === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.skipSpace();
      this.pos++; // :
      this.skipSpace();
      member(key);
      this.skipSpace();
      const c = this.#text[this.pos++];
      if (c === '}') return;
    }
  }

  string(): string {
    const start = this.pos;
    this.pos++; // "
    while (this.peek() !== '"') this.pos += this.peek() === '\\' ? 2 : 1;
    this.pos++;
    return JSON.parse(this.#text.slice(start, this.pos)) as string;
  }
}
