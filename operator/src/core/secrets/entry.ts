// A pass entry as pass users write it: the first line is the secret; the lines after it
// that read `key: value` are fields. Other lines are notes and are ignored.
import { PassSecretError } from './errors.ts';
import type { PassReference } from '../synthesis.ts';

export interface PassEntry {
  /** The first line, without its line ending. */
  readonly secret: string;
  /** Fields in the order written; the first of a repeated key wins. */
  readonly fields: ReadonlyMap<string, string>;
}

// `otpauth://totp/…` (pass-otp) and other URLs are one field named after the scheme.
const URL_LINE = /^([a-z][a-z0-9+.-]*):\/\//i;
const FIELD_LINE = /^([^:]+):(.*)$/;

export function parseEntry(text: string): PassEntry {
  const lines = text.split(/\r?\n/);
  const fields = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const field = parseFieldLine(line);
    if (field && !fields.has(field[0])) fields.set(field[0], field[1]);
  }
  return { secret: lines[0] ?? '', fields };
}

function parseFieldLine(line: string): [string, string] | undefined {
  const url = URL_LINE.exec(line);
  if (url) return [url[1]!.toLowerCase(), line.trim()];
  const match = FIELD_LINE.exec(line);
  if (!match) return undefined;
  const key = match[1]!.trim();
  if (!key) return undefined;
  return [key, match[2]!.replace(/^[ \t]+/, '')];
}

/** The value a reference names: the secret, or one field. Throws NoSuchField (naming the field, never a value). */
export function selectValue(entry: PassEntry, ref: PassReference): string {
  if (ref.field === undefined) return entry.secret;
  const value = entry.fields.get(ref.field);
  if (value === undefined) throw new PassSecretError('NoSuchField', ref.path, `no field "${ref.field}"`);
  return value;
}
