// An Application's syncPolicy and ignoreDifferences as the Environment's spec.sync and
// spec.retry. Sync options Keelson has an equivalent for become that equivalent (or are its
// default); the others are listed with what Keelson does instead.
import type { IgnoreDifference, RetryPolicy, SyncPolicy } from '../../api/v1alpha1/environment.ts';
import { defined } from '../defined.ts';
import { ANNOTATION_PRUNE } from '../keys.ts';
import type { FieldReader } from './field-reader.ts';
import type { ImportNotes } from './import-notes.ts';
import { CREATE_NAMESPACE, NO_PRUNE, syncOption } from './sync-options.ts';

/** The Namespace that CreateNamespace=true asks for, which the deploy code then declares. */
export interface NamespacePlan {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface SyncPlan {
  readonly sync?: SyncPolicy;
  readonly retry?: RetryPolicy;
  readonly namespace?: NamespacePlan;
}

/** Reads spec.syncPolicy and spec.ignoreDifferences; `namespace` is the destination namespace. */
export function planSync(spec: FieldReader, namespace: string | undefined, notes: ImportNotes): SyncPlan {
  const policy = spec.object('syncPolicy');
  const sync: Mutable<SyncPolicy> & { automated?: Mutable<NonNullable<SyncPolicy['automated']>> } = {};
  const automated = policy?.object('automated');
  const enabled = automated?.boolean('enabled') ?? true;
  if (automated && enabled) {
    const prune = automated.boolean('prune');
    const selfHeal = automated.boolean('selfHeal');
    sync.automated = { ...(prune === undefined ? {} : { prune }), ...(selfHeal === undefined ? {} : { selfHeal }) };
    notes.convert(automated.path, `spec.sync.automated (prune: ${prune ?? false}, selfHeal: ${selfHeal ?? false})`);
  } else {
    notes.convert(
      automated?.path ?? 'spec.syncPolicy',
      'no automated sync: no spec.sync.automated, ' +
        'so the Environment reports OutOfSync and waits for `keelson sync`',
    );
  }
  const allowEmpty = automated?.boolean('allowEmpty');
  if (allowEmpty !== undefined) {
    sync.allowEmpty = allowEmpty;
    notes.convert(automated!.field('allowEmpty'), 'spec.sync.allowEmpty');
  }
  let createNamespace = false;
  for (const [i, option] of (policy?.strings('syncOptions') ?? []).entries()) {
    const field = `${policy!.field('syncOptions')}[${i}]`;
    const outcome = syncOption(option.trim());
    if (outcome === CREATE_NAMESPACE) createNamespace = true;
    else if (outcome === NO_PRUNE && sync.automated?.prune) sync.automated.prune = false;
    else if (outcome.carried) sync.options = [...(sync.options ?? []), option.trim()];
    if (outcome.converted) notes.convert(field, `${option}: ${outcome.text}`);
    else notes.skip(field, `${option}: ${outcome.text}`);
  }
  const ignoreDifferences = planIgnoreDifferences(spec, notes);
  if (ignoreDifferences.length > 0) sync.ignoreDifferences = ignoreDifferences;
  return {
    ...(Object.keys(sync).length > 0 ? { sync } : {}),
    ...planRetry(policy, notes),
    ...planNamespace(policy, createNamespace ? namespace : undefined, notes),
  };
}

function planRetry(policy: FieldReader | undefined, notes: ImportNotes): Pick<SyncPlan, 'retry'> {
  const retry = policy?.object('retry');
  if (!retry) return {};
  const out: { limit?: number; backoff?: { duration?: string; factor?: number; maxDuration?: string } } = {};
  const limit = retry.integer('limit');
  if (limit !== undefined && limit < 0) {
    out.limit = 100;
    notes.skip(retry.field('limit'), `${limit}: unlimited retries; Keelson retries at most 100 times, so it is 100`);
  } else if (limit !== undefined) {
    out.limit = clamp(limit, 0, 100, retry.field('limit'), notes, 'retries');
  }
  const backoff = retry.object('backoff');
  if (backoff) {
    const duration = durationOf(backoff, 'duration');
    const factor = backoff.integer('factor');
    const maxDuration = durationOf(backoff, 'maxDuration');
    out.backoff = {
      ...(duration === undefined ? {} : { duration }),
      ...(factor === undefined ? {} : { factor: clamp(factor, 1, 10, backoff.field('factor'), notes, 'as factor') }),
      ...(maxDuration === undefined ? {} : { maxDuration }),
    };
  }
  notes.convert(retry.path, 'spec.retry');
  return { retry: out };
}

/** Argo CD reads a bare number as seconds. */
function durationOf(backoff: FieldReader, key: string): string | undefined {
  const text = backoff.string(key)?.trim();
  if (text === undefined) return undefined;
  const duration = /^[0-9]+$/.test(text) ? `${text}s` : text;
  if (!/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(duration)) {
    throw backoff.error(key, `"${text}" is not a duration (like 5s, 3m)`);
  }
  return duration;
}

function clamp(n: number, min: number, max: number, field: string, notes: ImportNotes, what: string): number {
  const value = Math.min(max, Math.max(min, n));
  if (value !== n) notes.skip(field, `${n}: Keelson takes ${min} to ${max} ${what}, so it is ${value}`);
  return value;
}

function planNamespace(
  policy: FieldReader | undefined,
  name: string | undefined,
  notes: ImportNotes,
): Pick<SyncPlan, 'namespace'> {
  const metadata = policy?.object('managedNamespaceMetadata');
  const labels = metadata?.stringMap('labels');
  const annotations = metadata?.stringMap('annotations');
  if (name === undefined) {
    if (metadata) notes.skip(metadata.path, 'applies only with CreateNamespace=true and a destination namespace');
    return {};
  }
  if (metadata) notes.convert(metadata.path, `labels and annotations of the Namespace ${name} in the deploy code`);
  const never = { ...annotations, [ANNOTATION_PRUNE]: 'false' };
  return { namespace: { name, labels, annotations: never } };
}

const POINTER = /^(\/[^/]*)+$/;
const SIMPLE_JQ = /^(\.([A-Za-z0-9_-]+|"[^"]+")|\[[0-9]+\])+$/;

/** A jq path as simple as `.spec.replicas` or `.spec.containers[0].image` as a JSON pointer, else undefined. */
export function pointerOfJqPath(path: string): string | undefined {
  if (!SIMPLE_JQ.test(path)) return undefined;
  const tokens = [...path.matchAll(/\.([A-Za-z0-9_-]+)|\."([^"]+)"|\[([0-9]+)\]/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function planIgnoreDifferences(spec: FieldReader, notes: ImportNotes): IgnoreDifference[] {
  const rules: IgnoreDifference[] = [];
  for (const entry of spec.objects('ignoreDifferences') ?? []) {
    const group = entry.string('group') || undefined;
    const kind = entry.string('kind');
    const name = entry.string('name') || undefined;
    const namespace = entry.string('namespace') || undefined;
    const pointers = (entry.strings('jsonPointers') ?? []).filter((p) => {
      if (POINTER.test(p)) return true;
      notes.skip(entry.field('jsonPointers'), `"${p}" is not a JSON pointer (like /spec/replicas)`);
      return false;
    });
    for (const jq of entry.strings('jqPathExpressions') ?? []) {
      const pointer = pointerOfJqPath(jq.trim());
      if (pointer) pointers.push(pointer);
      else notes.skip(entry.field('jqPathExpressions'), `${jq}: Keelson compares by JSON pointers: rewrite it as one`);
    }
    const managers = entry.strings('managedFieldsManagers');
    if (managers) {
      notes.skip(
        entry.field('managedFieldsManagers'),
        `${managers.join(', ')}: ` +
          'Keelson does not ignore by field manager: list the fields as jsonPointers, ' +
          'or leave them out of the deploy code so their manager keeps them',
      );
    }
    if (!kind || kind.includes('*') || group?.includes('*')) {
      notes.skip(
        entry.path,
        `${kind ? 'a wildcard' : 'no kind'}: a Keelson rule names one group and kind, ` + 'write one per kind',
      );
    } else if (pointers.length > 0) {
      rules.push(defined({ group, kind, name, namespace, jsonPointers: pointers }));
      const what = `${group ? `${group}/` : ''}${kind}: ${pointers.join(', ')}`;
      notes.convert(entry.path, `spec.sync.ignoreDifferences (${what})`);
    }
  }
  return rules;
}
