// Resolution of every PassSecret placeholder among the synthesized objects. Each entry is
// read once however many references name it; every failure is collected, so one sync
// attempt reports all of them, and nothing is returned for applying unless all resolved.
import { keyOf, type KubeObject, type ObjectKey } from '../manifest.ts';
import type { PassReference } from '../synthesis.ts';
import { parseEntry, selectValue, type PassEntry } from './entry.ts';
import { asPassSecretError, PassSecretError, SecretsResolutionError, type ReferenceFailure } from './errors.ts';
import { fillSecret } from './fill-secret.ts';
import { hasPassRefs, readPassRefs } from './pass-refs.ts';

/** Reads the decrypted text of an entry by its pass path; throws PassSecretError. An adapter implements it. */
export interface EntryReader {
  readEntry(path: string): Promise<string>;
}

/** Learns resolved values so that free text can be scrubbed of them (see core/redact.ts). */
export interface ValueSink {
  remember(value: string): void;
}

export interface ResolveOptions {
  /** Key of the values hash; secret to the operator. */
  readonly hashKey: Uint8Array;
  readonly redactor?: ValueSink;
}

/** The outcome of one reference, without its value: what `keelson secrets check` prints. */
export interface ReferenceCheck {
  readonly secret: ObjectKey;
  readonly dataKey: string;
  readonly ref?: PassReference;
  readonly error?: PassSecretError;
}

/** Checks every reference; never returns a value. */
export async function checkPassSecrets(objects: readonly KubeObject[], reader: EntryReader): Promise<ReferenceCheck[]> {
  const entries = new EntryLoader(reader);
  const checks: ReferenceCheck[] = [];
  for (const obj of objects.filter(hasPassRefs)) {
    for (const outcome of await resolveSecret(obj, entries)) {
      const { value: _value, ...check } = outcome;
      checks.push(check);
    }
  }
  return checks;
}

/**
 * The objects with every PassSecret filled. Throws SecretsResolutionError listing every
 * failed reference (paths and reasons only) when any did not resolve.
 */
export async function resolvePassSecrets(
  objects: readonly KubeObject[],
  reader: EntryReader,
  options: ResolveOptions,
): Promise<KubeObject[]> {
  const entries = new EntryLoader(reader);
  const failures: ReferenceFailure[] = [];
  const result: KubeObject[] = [];
  for (const obj of objects) {
    if (!hasPassRefs(obj)) {
      result.push(obj);
      continue;
    }
    const values = new Map<string, string>();
    for (const { secret, dataKey, error, value } of await resolveSecret(obj, entries)) {
      if (error) failures.push({ secret, dataKey, error });
      else values.set(dataKey, value!);
    }
    for (const value of values.values()) options.redactor?.remember(value);
    result.push(fillSecret(obj, values, options.hashKey));
  }
  if (failures.length > 0) throw new SecretsResolutionError(failures);
  return result;
}

/** The outcome of each reference of one PassSecret; an invalid annotation is one outcome with dataKey ''. */
async function resolveSecret(obj: KubeObject, entries: EntryLoader): Promise<(ReferenceCheck & { value?: string })[]> {
  const secret = keyOf(obj);
  let refs: ReadonlyMap<string, PassReference>;
  try {
    refs = readPassRefs(obj).refs;
  } catch (err) {
    return [{ secret, dataKey: '', error: asPassSecretError(err, '', 'InvalidReference') }];
  }
  const outcomes: (ReferenceCheck & { value?: string })[] = [];
  for (const [dataKey, ref] of refs) {
    const outcome = await entries.value(ref);
    outcomes.push(
      typeof outcome === 'string' ? { secret, dataKey, ref, value: outcome } : { secret, dataKey, ref, error: outcome },
    );
  }
  return outcomes;
}

/** Reads and parses each entry once per resolution; remembers failures as well. */
class EntryLoader {
  readonly #reader: EntryReader;
  readonly #entries = new Map<string, Promise<PassEntry | PassSecretError>>();

  constructor(reader: EntryReader) {
    this.#reader = reader;
  }

  async value(ref: PassReference): Promise<string | PassSecretError> {
    const entry = await this.#entry(ref.path);
    if (entry instanceof PassSecretError) return entry;
    try {
      return selectValue(entry, ref);
    } catch (err) {
      return asPassSecretError(err, ref.path, 'NoSuchField');
    }
  }

  #entry(path: string): Promise<PassEntry | PassSecretError> {
    let entry = this.#entries.get(path);
    if (!entry) {
      entry = this.#reader
        .readEntry(path)
        .then(parseEntry, (err: unknown) => asPassSecretError(err, path, 'CorruptEntry'));
      this.#entries.set(path, entry);
    }
    return entry;
  }
}

/** How many references the PassSecrets among `objects` carry (invalid annotations count as none): for the condition message. */
export function countPassReferences(objects: readonly KubeObject[]): number {
  let n = 0;
  for (const obj of objects.filter(hasPassRefs)) {
    try {
      n += readPassRefs(obj).refs.size;
    } catch {
      // reported as InvalidReference by the resolution itself
    }
  }
  return n;
}
