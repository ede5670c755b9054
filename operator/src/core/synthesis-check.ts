// Validation of what a deploy repository synthesized, before anything uses it: every object
// has apiVersion, kind and metadata.name; no two objects share a key; sizes stay under caps.
// Errors name the app, the object and, where the synthesizer recorded it, the file and line.
import { describeKey, formatKey, keyOf, type KubeObject } from './manifest.ts';
import type { SynthesisResult, SynthesizedApp } from './synthesis.ts';

/** Why a synthesis failed; PascalCase, usable as a condition reason. */
export type SynthesisFailureReason =
  | 'BuildFailed'
  | 'EvaluationFailed'
  | 'RenderFailed'
  | 'ChartUnavailable'
  | 'DependenciesFailed'
  | 'DependenciesUnavailable'
  | 'NoEnvironments'
  | 'UnknownEnvironment'
  | 'InvalidOutput'
  | 'TimedOut'
  | 'MemoryExceeded'
  | 'OutputTooLarge'
  | 'WorkerCrashed';

/** A synthesis that failed: nothing from it may be applied. The message is for people. */
export class SynthesisError extends Error {
  override readonly name = 'SynthesisError';
  readonly reason: SynthesisFailureReason;
  /** `file:line:column` in the deploy repository, when known. */
  readonly location?: string;
  constructor(reason: SynthesisFailureReason, message: string, location?: string) {
    super(message);
    this.reason = reason;
    if (location !== undefined) this.location = location;
  }
}

export interface SynthesisLimits {
  /** Largest JSON size of one object, in bytes (etcd refuses requests over 1.5 MiB). */
  readonly maxObjectBytes: number;
  /** Largest JSON size of all objects of the environment together, in bytes. */
  readonly maxTotalBytes: number;
  /** Most objects in one environment. */
  readonly maxObjects: number;
}

export const DEFAULT_SYNTHESIS_LIMITS: SynthesisLimits = {
  maxObjectBytes: 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
  maxObjects: 10_000,
};

/** What the synthesizer returns before the check: objects are still unknown data. */
export interface RawSynthesizedApp {
  readonly name: string;
  readonly objects: readonly unknown[];
  /** Where each object was created (`apps/api.ts:31:5`), parallel to objects, when known. */
  readonly sources?: readonly (string | undefined)[];
}

const UTF8 = new TextEncoder();
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks raw synthesized apps and returns them as a SynthesisResult; throws SynthesisError (InvalidOutput) listing every problem. */
export function checkSynthesis(
  environment: string,
  apps: readonly RawSynthesizedApp[],
  limits: SynthesisLimits = DEFAULT_SYNTHESIS_LIMITS,
): SynthesisResult {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const appNames = new Set<string>();
  const checked: SynthesizedApp[] = [];
  let total = 0;
  let count = 0;
  for (const app of apps) {
    if (!DNS_LABEL.test(app.name)) problems.push(`app "${app.name}": the name is not a DNS label`);
    if (appNames.has(app.name)) problems.push(`app "${app.name}" is defined twice`);
    appNames.add(app.name);
    const objects: KubeObject[] = [];
    for (const [i, raw] of app.objects.entries()) {
      const where = locate(app, i);
      const shapeProblem = problemOf(raw);
      if (shapeProblem) {
        problems.push(`app "${app.name}", object #${i + 1}${where}: ${shapeProblem}`);
        continue;
      }
      const obj = raw as KubeObject;
      const key = keyOf(obj);
      const bytes = UTF8.encode(JSON.stringify(obj)).length;
      total += bytes;
      count++;
      if (bytes > limits.maxObjectBytes)
        problems.push(
          `app "${app.name}", ${describeKey(key)}${where}: ${bytes} bytes, over the limit of ${limits.maxObjectBytes} per object`,
        );
      const id = formatKey(key);
      const first = seen.get(id);
      if (first !== undefined)
        problems.push(`${describeKey(key)} is defined twice: ${first} and app "${app.name}"${where}`);
      else seen.set(id, `app "${app.name}"${where}`);
      objects.push(obj);
    }
    checked.push({ name: app.name, objects });
  }
  if (count > limits.maxObjects) problems.push(`${count} objects, over the limit of ${limits.maxObjects}`);
  if (total > limits.maxTotalBytes)
    problems.push(`${total} bytes of objects, over the limit of ${limits.maxTotalBytes}`);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    throw new SynthesisError(
      'InvalidOutput',
      `environment "${environment}" synthesized invalid objects:\n  ${shown.join('\n  ')}${more}`,
    );
  }
  return { environment, apps: checked };
}

function locate(app: RawSynthesizedApp, index: number): string {
  const source = app.sources?.[index];
  return source ? ` (${source})` : '';
}

/** What is wrong with the shape of a would-be Kubernetes object, or undefined when nothing is. */
function problemOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return `not a Kubernetes object (got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : `a ${typeof raw}`})`;
  }
  const obj = raw as Record<string, unknown>;
  const meta = obj.metadata as Record<string, unknown> | undefined;
  const missing: string[] = [];
  if (!isNonEmptyString(obj.apiVersion)) missing.push('apiVersion');
  if (!isNonEmptyString(obj.kind)) missing.push('kind');
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) missing.push('metadata');
  else if (!isNonEmptyString(meta.name)) missing.push('metadata.name');
  if (missing.length > 0) {
    const what = isNonEmptyString(obj.kind) ? `a ${obj.kind}` : 'an object';
    return `${what} without ${missing.join(', ')}: not a Kubernetes object`;
  }
  if (meta!.namespace !== undefined && !isNonEmptyString(meta!.namespace)) return 'metadata.namespace is not a string';
  if (meta!.namespace !== undefined && !DNS_LABEL.test(meta!.namespace as string)) {
    return (
      `${obj.kind} ${meta!.name}: metadata.namespace "${meta!.namespace}" is not a DNS label ` +
      "(lowercase letters, digits, '-'; at most 63)"
    );
  }
  const nameProblem = problemOfName(obj.apiVersion as string, obj.kind as string, meta!.name as string);
  if (nameProblem) return `${obj.kind} ${shorten(meta!.name as string)}: ${nameProblem}`;
  return undefined;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kinds whose names the API server checks as DNS labels (at most 63 characters, no dots). */
const LABEL_NAMED_KINDS = new Set(['v1/Namespace', 'v1/Service']);

/** Why the API server would refuse the object's name, or undefined: checked where the object is made, not at apply. */
function problemOfName(apiVersion: string, kind: string, name: string): string | undefined {
  if (apiVersion.startsWith('rbac.authorization.k8s.io/')) {
    // RBAC names are path segments: anything but '/', '%', '.' and '..'.
    const segment = !/[/%]/.test(name) && name !== '.' && name !== '..';
    return segment ? undefined : `the name "${name}" is not a valid path segment`;
  }
  if (LABEL_NAMED_KINDS.has(`${apiVersion}/${kind}`)) {
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      return `the name is not a DNS label (lowercase letters, digits, '-'; at most 63 characters; it has ${name.length})`;
    }
    return undefined;
  }
  if (name.length > 253) return `the name has ${name.length} characters, over the 253 Kubernetes allows`;
  if (!DNS_SUBDOMAIN.test(name)) {
    return `the name "${name}" is not a DNS subdomain (lowercase letters, digits, '-' and '.')`;
  }
  return undefined;
}

function shorten(name: string): string {
  return name.length > 40 ? `${name.slice(0, 37)}...` : name;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
