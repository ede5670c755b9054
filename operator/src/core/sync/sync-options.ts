// Sync options: how one object (annotation keelson.dev/sync-options, or Argo CD's
// argocd.argoproj.io/sync-options read unchanged) or every object of an Environment
// (spec.sync.options) is applied, validated and pruned. `Name=value`, comma-separated, as
// Argo CD writes them; an object's own options win over the Environment's, option by option.
// An option Keelson does not know is an error naming the object and the option, never skipped.
import type { KubeObject } from '../manifest.ts';
import { ANNOTATION_SYNC_OPTIONS, ARGO_ANNOTATION_SYNC_OPTIONS } from '../keys.ts';
import { InvalidAnnotationError } from './annotations.ts';

import { PROPAGATION_POLICIES, type SYNC_OPTION_FLAGS } from '../../api/v1alpha1/environment.ts';

export type PropagationPolicy = (typeof PROPAGATION_POLICIES)[number];

export interface SyncOptions {
  /** Replace=true: written with a replace (PUT of the whole object, or a create) instead of a server-side apply. */
  readonly replace: boolean;
  /** Force=true: an object whose change touches an immutable field is deleted and created again. */
  readonly force: boolean;
  /** Prune=false: never pruned when it leaves the desired state. */
  readonly prune: boolean;
  /** PruneLast=true: pruned after every wave is applied and healthy — what Keelson always does. */
  readonly pruneLast: boolean;
  /** Validate=false: fields the schema does not know are dropped instead of refused. */
  readonly validate: boolean;
  /** SkipDryRunOnMissingResource=true: a kind the API server does not serve yet skips the dry-run. */
  readonly skipDryRunOnMissingResource: boolean;
  /** FailOnSharedResource=true: an object another Environment owns fails the sync instead of being taken over. */
  readonly failOnSharedResource: boolean;
  /** CreateNamespace=true (Environment only): namespaces the objects need and nobody declares are created. */
  readonly createNamespace: boolean;
  /** PrunePropagationPolicy (Environment only): how prune and deletion delete dependents. */
  readonly prunePropagationPolicy: PropagationPolicy;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
  replace: false,
  force: false,
  prune: true,
  pruneLast: false,
  validate: true,
  skipDryRunOnMissingResource: false,
  failOnSharedResource: false,
  createNamespace: false,
  prunePropagationPolicy: 'background',
};

type BooleanOption = Exclude<keyof SyncOptions, 'prunePropagationPolicy'>;

const BOOLEAN_OPTIONS: Readonly<Record<(typeof SYNC_OPTION_FLAGS)[number], BooleanOption>> = {
  Replace: 'replace',
  Force: 'force',
  Prune: 'prune',
  PruneLast: 'pruneLast',
  Validate: 'validate',
  SkipDryRunOnMissingResource: 'skipDryRunOnMissingResource',
  FailOnSharedResource: 'failOnSharedResource',
  CreateNamespace: 'createNamespace',
};

/** Options that mean something only for the whole Environment. */
const ENVIRONMENT_ONLY = new Set(['CreateNamespace', 'PrunePropagationPolicy']);

/** Keelson's behaviour already: accepted so Argo CD manifests carry over, changing nothing. */
const ALWAYS_TRUE = new Set(['ServerSideApply']);

export class SyncOptionError extends Error {
  readonly option: string;
  constructor(option: string, expected: string) {
    super(`sync option "${option}" is not valid (expected ${expected})`);
    this.name = 'SyncOptionError';
    this.option = option;
  }
}

function parseOne(text: string, scope: 'object' | 'environment'): Partial<SyncOptions> {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  const value = eq < 0 ? '' : text.slice(eq + 1);
  if (scope === 'object' && ENVIRONMENT_ONLY.has(name)) {
    throw new SyncOptionError(text, `${name} only in the Environment's spec.sync.options`);
  }
  if (name === 'PrunePropagationPolicy') {
    if (!(PROPAGATION_POLICIES as readonly string[]).includes(value))
      throw new SyncOptionError(text, `PrunePropagationPolicy=${PROPAGATION_POLICIES.join('|')}`);
    return { prunePropagationPolicy: value as PropagationPolicy };
  }
  if (ALWAYS_TRUE.has(name)) {
    if (value !== 'true') throw new SyncOptionError(text, `${name}=true: Keelson always does it`);
    return {};
  }
  const field = (BOOLEAN_OPTIONS as Readonly<Record<string, BooleanOption | undefined>>)[name];
  if (!field) {
    const known = [...Object.keys(BOOLEAN_OPTIONS), 'PrunePropagationPolicy', ...ALWAYS_TRUE].join(', ');
    throw new SyncOptionError(text, `one of ${known}`);
  }
  if (value !== 'true' && value !== 'false') throw new SyncOptionError(text, `${name}=true or ${name}=false`);
  return { [field]: value === 'true' };
}

/** Options from `Name=value` texts; throws SyncOptionError naming the first invalid one. */
export function parseSyncOptions(
  values: readonly string[],
  scope: 'object' | 'environment' = 'environment',
): Partial<SyncOptions> {
  let options: Partial<SyncOptions> = {};
  for (const raw of values) {
    const text = raw.trim();
    if (text !== '') options = { ...options, ...parseOne(text, scope) };
  }
  return options;
}

/** The annotation an object's options are read from: Keelson's when set, else Argo CD's. */
function optionsAnnotation(obj: KubeObject): { key: string; value: string } | undefined {
  const annotations = obj.metadata.annotations ?? {};
  for (const key of [ANNOTATION_SYNC_OPTIONS, ARGO_ANNOTATION_SYNC_OPTIONS]) {
    const value = annotations[key];
    if (value !== undefined) return { key, value };
  }
  return undefined;
}

/** The object's own options; throws InvalidAnnotationError naming the object, the annotation and the option. */
export function objectSyncOptions(obj: KubeObject): Partial<SyncOptions> {
  const found = optionsAnnotation(obj);
  if (!found) return {};
  try {
    return parseSyncOptions(found.value.split(','), 'object');
  } catch (err) {
    if (!(err instanceof SyncOptionError)) throw err;
    throw new InvalidAnnotationError(obj, found.key, found.value, err.message);
  }
}

/** What applies to `obj`: its own options over the Environment's, over the defaults. */
export function effectiveSyncOptions(obj: KubeObject, environment: Partial<SyncOptions> = {}): SyncOptions {
  return { ...DEFAULT_SYNC_OPTIONS, ...environment, ...objectSyncOptions(obj) };
}

/** Like effectiveSyncOptions, for a live object whose annotation may be anything: an invalid one counts as unset. */
export function liveSyncOptions(obj: KubeObject, environment: Partial<SyncOptions> = {}): SyncOptions {
  try {
    return effectiveSyncOptions(obj, environment);
  } catch (err) {
    if (!(err instanceof InvalidAnnotationError)) throw err;
    return { ...DEFAULT_SYNC_OPTIONS, ...environment };
  }
}

/** The schema validation of a write: sync option Validate=false drops unknown fields instead of refusing them. */
export function fieldValidationOf(options: SyncOptions): 'Strict' | 'Ignore' {
  return options.validate ? 'Strict' : 'Ignore';
}

/** What to do about a change the API server refuses because it touches fields that cannot change. */
export function immutableFieldAdvice(fields: readonly string[]): string {
  const which = fields.length === 1 ? fields[0] : fields.join(', ');
  return (
    `${which} cannot change in place: to let Keelson delete and create it again, annotate it ` +
    `keelson.dev/sync-options: Force=true (or set Force=true in the Environment's spec.sync.options), ` +
    'or give it a new name'
  );
}
