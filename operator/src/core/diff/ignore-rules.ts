// Fields that are not drift, named by RFC 6901 JSON pointers: from the object's own
// `keelson.dev/ignore-differences` annotation and from the Environment's spec.sync.ignoreDifferences.
import type { IgnoreDifference } from '../../api/v1alpha1/environment.ts';
import type { KubeObject } from '../manifest.ts';
import { describeKey, groupOf, keyOf } from '../manifest.ts';
import { ANNOTATION_IGNORE_DIFFERENCES } from '../keys.ts';

export type { IgnoreDifference };

/** An ignore rule that is not a valid JSON pointer, naming the object that carries it. */
export class InvalidIgnoreRuleError extends Error {
  constructor(obj: KubeObject, pointer: string) {
    super(
      `${describeKey(keyOf(obj))}: annotation ${ANNOTATION_IGNORE_DIFFERENCES}: "${pointer}" is not a JSON pointer (like /spec/replicas)`,
    );
    this.name = 'InvalidIgnoreRuleError';
  }
}

export function parsePointer(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function formatPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${String(t).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Deletes the field at `pointer` in place; a missing path is not an error. */
export function removePointer(target: unknown, pointer: string): void {
  const tokens = parsePointer(pointer);
  let node: unknown = target;
  for (let i = 0; i < tokens.length - 1; i++) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[tokens[i]!];
  }
  const last = tokens.at(-1);
  if (last === undefined || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    const index = Number(last);
    if (Number.isInteger(index) && index >= 0 && index < node.length) node.splice(index, 1);
  } else {
    delete (node as Record<string, unknown>)[last];
  }
}

/** The pointers ignored for one desired object; throws InvalidIgnoreRuleError. */
export function ignoredPointers(obj: KubeObject, rules: readonly IgnoreDifference[] = []): string[] {
  const pointers: string[] = [];
  const annotation = obj.metadata.annotations?.[ANNOTATION_IGNORE_DIFFERENCES];
  for (const p of (annotation ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!/^(\/[^/]*)+$/.test(p)) throw new InvalidIgnoreRuleError(obj, p);
    pointers.push(p);
  }
  const key = keyOf(obj);
  for (const rule of rules) {
    if (rule.kind !== obj.kind || (rule.group ?? '') !== groupOf(obj.apiVersion)) continue;
    if (rule.name && rule.name !== key.name) continue;
    if (rule.namespace && rule.namespace !== key.namespace) continue;
    pointers.push(...rule.jsonPointers);
  }
  return pointers;
}
