// Reads an Argo CD manifest field by field. Each getter checks the field's type (a wrong type
// is an ImportError naming the field) and marks it read, so whatever no step read can be
// listed afterwards: an unknown field is reported, never dropped silently.
import { ImportError, type DocumentOrigin } from './import-error.ts';

export type Fields = Record<string, unknown>;

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field no step read: its path in the manifest and its value. */
export interface UnreadField {
  readonly field: string;
  readonly value: unknown;
}

export class FieldReader {
  /** Path of this object in the manifest ('' for the document itself). */
  readonly path: string;
  readonly origin: DocumentOrigin;
  readonly #value: Fields;
  readonly #read = new Set<string>();
  readonly #children: FieldReader[] = [];

  constructor(value: Fields, path: string, origin: DocumentOrigin) {
    this.#value = value;
    this.path = path;
    this.origin = origin;
  }

  /** The path of a field of this object: `spec.source` + `helm` → `spec.source.helm`. */
  field(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** Whether the field is set (not null); does not mark it read. */
  has(key: string): boolean {
    return this.#value[key] !== undefined && this.#value[key] !== null;
  }

  /** Keys that are set, in manifest order; does not mark them read. */
  keys(): string[] {
    return Object.keys(this.#value).filter((k) => this.has(k));
  }

  /** The value as it is, marked read. */
  raw(key: string): unknown {
    this.#read.add(key);
    return this.has(key) ? this.#value[key] : undefined;
  }

  /** Marks fields read that are deliberately left alone (status, server-set metadata). */
  ignore(...keys: string[]): void {
    for (const key of keys) this.#read.add(key);
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw this.#typeError(key, 'a string', value);
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined || typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw this.#typeError(key, 'true or false', value);
  }

  integer(key: string): number | undefined {
    const value = this.raw(key);
    const n = typeof value === 'string' && /^-?[0-9]+$/.test(value) ? Number(value) : value;
    if (n === undefined || Number.isInteger(n)) return n as number | undefined;
    throw this.#typeError(key, 'an integer', value);
  }

  strings(key: string): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.#typeError(key, 'a list of strings', value);
    return value.map((v, i) => {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
      throw this.#typeError(`${key}[${i}]`, 'a string', v);
    });
  }

  /** A map of strings (labels, annotations). */
  stringMap(key: string): Record<string, string> | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isFields(value)) throw this.#typeError(key, 'a map of strings', value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? '' : String(v)]));
  }

  /** A nested object, read field by field in turn. */
  object(key: string): FieldReader | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isFields(value)) throw this.#typeError(key, 'an object', value);
    return this.#child(value, this.field(key));
  }

  /** A list of objects, each read field by field. */
  objects(key: string): FieldReader[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.#typeError(key, 'a list', value);
    return value.map((item, i) => {
      if (!isFields(item)) throw this.#typeError(`${key}[${i}]`, 'an object', item);
      return this.#child(item, `${this.field(key)}[${i}]`);
    });
  }

  /** An ImportError about one field of this object. */
  error(key: string, message: string): ImportError {
    return new ImportError(this.origin, `${this.field(key)}: ${message}`);
  }

  /** Fields of this object and of the objects read from it that nothing read. */
  unread(): UnreadField[] {
    const own = this.keys()
      .filter((k) => !this.#read.has(k))
      .map((k) => ({ field: this.field(k), value: this.#value[k] }));
    return [...own, ...this.#children.flatMap((c) => c.unread())];
  }

  #child(value: Fields, path: string): FieldReader {
    const child = new FieldReader(value, path, this.origin);
    this.#children.push(child);
    return child;
  }

  #typeError(key: string, expected: string, value: unknown): ImportError {
    return this.error(key, `must be ${expected}, not ${describeJson(value)}`);
  }
}

/** A short rendering of a value for messages: at most 60 characters of its JSON. */
export function describeJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
