// The one redaction module. Everything that can carry a secret passes through it before it
// leaves the core: logs, events, status, diff output, API responses. It masks the values
// of Secret objects, and scrubs free text of the secret values it has been told about.
import type { KubeObject } from './manifest.ts';

export const REDACTED = '<redacted>';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function isSecretObject(value: unknown): value is KubeObject {
  const obj = value as KubeObject | null;
  return (
    typeof obj === 'object' &&
    obj !== null &&
    obj.kind === 'Secret' &&
    obj.apiVersion === 'v1' &&
    typeof obj.metadata === 'object'
  );
}

function maskMap(map: unknown, mask: (key: string) => string): unknown {
  if (typeof map !== 'object' || map === null) return map;
  return Object.fromEntries(Object.keys(map).map((k) => [k, mask(k)]));
}

/** A copy of a Secret with every `data`/`stringData` value masked (and kubectl's last-applied copy of them). Other objects are returned as they are. */
export function redactObject<T>(obj: T): T {
  if (!isSecretObject(obj)) return obj;
  return maskSecret(obj, () => REDACTED) as T;
}

function maskSecret(secret: KubeObject, mask: (key: string) => string): KubeObject {
  const copy: KubeObject = { ...secret };
  if ('data' in copy) copy.data = maskMap(copy.data, mask);
  if ('stringData' in copy) copy.stringData = maskMap(copy.stringData, mask);
  const annotations = secret.metadata.annotations;
  if (annotations?.[LAST_APPLIED] !== undefined) {
    copy.metadata = { ...secret.metadata, annotations: { ...annotations, [LAST_APPLIED]: REDACTED } };
  }
  return copy;
}

/**
 * Masks a desired/live pair of Secrets for a diff: a value equal on both sides becomes the
 * same mask on both, a changed one becomes `<redacted:desired>` / `<redacted:live>`, so the
 * diff shows that it changed and never what to.
 */
export function redactSecretPair<T>(desired: T, live: T): [T, T] {
  if (!isSecretObject(desired) || !isSecretObject(live)) return [redactObject(desired), redactObject(live)];
  const a = valuesOf(desired);
  const b = valuesOf(live);
  const same = (k: string) => a.get(k) === b.get(k);
  return [
    maskSecret(desired, (k) => (same(k) ? REDACTED : '<redacted:desired>')) as T,
    maskSecret(live, (k) => (same(k) ? REDACTED : '<redacted:live>')) as T,
  ];
}

/** Values by key as the API server would store them: `stringData` wins over `data`, both compared as base64. */
function valuesOf(secret: KubeObject): Map<string, string> {
  const values = new Map<string, string>(Object.entries((secret.data as Record<string, string> | undefined) ?? {}));
  for (const [k, v] of Object.entries((secret.stringData as Record<string, string> | undefined) ?? {})) {
    values.set(k, Buffer.from(v, 'utf8').toString('base64'));
  }
  return values;
}

export interface SecretRedactorOptions {
  /** The clock, in milliseconds (core reads no clock of its own). */
  readonly now: () => number;
  /** How long a value is remembered after it was last resolved. @default 3_600_000 (one hour) */
  readonly ttlMs?: number;
  /** How many values are remembered at most; the least recently resolved go first. @default 10_000 */
  readonly maxValues?: number;
  /** Shorter values are not scrubbed from free text (they would mangle it). @default 4 */
  readonly minLength?: number;
}

/** Scrubs known secret values from free text, and masks Secrets anywhere in a JSON-like value. */
export class SecretRedactor {
  readonly #options: Required<SecretRedactorOptions>;
  /** Needle → when it expires; insertion order is resolution order. */
  readonly #needles = new Map<string, number>();

  constructor(options: SecretRedactorOptions) {
    this.#options = { ttlMs: 3_600_000, maxValues: 10_000, minLength: 4, ...options };
  }

  /** Learns a value: itself, its base64 form, its JSON-escaped form, and each of its lines. */
  remember(value: string): void {
    const { minLength } = this.#options;
    const forms = new Set([value, Buffer.from(value, 'utf8').toString('base64'), JSON.stringify(value).slice(1, -1)]);
    for (const line of value.split(/\r?\n/)) forms.add(line.trim());
    const expires = this.#options.now() + this.#options.ttlMs;
    for (const form of forms) {
      if (form.length < minLength) continue;
      this.#needles.delete(form);
      this.#needles.set(form, expires);
    }
    while (this.#needles.size > this.#options.maxValues) this.#needles.delete(this.#needles.keys().next().value!);
  }

  /** The number of scrubbed forms currently remembered. */
  get size(): number {
    this.#expire();
    return this.#needles.size;
  }

  redactText(text: string): string {
    this.#expire();
    let out = text;
    const needles = [...this.#needles.keys()].filter((n) => out.includes(n)).sort((x, y) => y.length - x.length);
    for (const needle of needles) out = out.replaceAll(needle, REDACTED);
    return out;
  }

  /** A deep copy with Secrets masked and every string scrubbed: for status, events, logs and API responses. */
  redact<T>(value: T): T {
    return this.#walk(value) as T;
  }

  #walk(value: unknown): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (Array.isArray(value)) return value.map((v) => this.#walk(v));
    if (typeof value !== 'object' || value === null) return value;
    const masked = redactObject(value);
    return Object.fromEntries(Object.entries(masked).map(([k, v]) => [this.redactText(k), this.#walk(v)]));
  }

  #expire(): void {
    const now = this.#options.now();
    for (const [needle, expires] of this.#needles) if (expires <= now) this.#needles.delete(needle);
  }
}
