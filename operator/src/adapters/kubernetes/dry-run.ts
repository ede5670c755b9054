// Comparison of desired with live through a server-side apply dry-run, cached by (desired
// hash, live resourceVersion) so a steady state sends no request; and the validation that
// runs before a sync applies anything.
import type { KubeObject } from '../../core/manifest.ts';
import { formatKey, groupOf, keyOf } from '../../core/manifest.ts';
import { ComparisonCache, compareResource, hashObject, pairResources, type IgnoreDifference, type ResourceComparison } from '../../core/diff/index.ts';
import { isHook } from '../../core/sync/annotations.ts';
import { withOwnership, type OwnerReference } from '../../core/sync/ownership.ts';
import type { Applier } from './applier.ts';
import { isTransient, KubeApiError } from './rest-transport.ts';
import { UnknownKindError } from './resource-map.ts';

export interface CompareRequest {
  /** Desired objects (hooks are left out of the comparison). */
  readonly desired: readonly KubeObject[];
  /** Live objects the Environment manages. */
  readonly live: readonly KubeObject[];
  readonly owner: OwnerReference;
  readonly ignoreRules?: readonly IgnoreDifference[];
}

export interface CompareReport {
  readonly resources: readonly ResourceComparison[];
  /** Objects whose dry-run failed: `Deployment shop/web: <message>`. */
  readonly errors: readonly { readonly key: string; readonly message: string }[];
  /** Dry-run requests sent (0 when everything came from the cache). */
  readonly dryRuns: number;
}

export interface TolerateMissing {
  /** Namespaces the sync itself creates: "namespace not found" is expected for objects in them. */
  readonly namespaces: readonly string[];
  /** `group/Kind` of CRDs the sync itself creates. */
  readonly kinds: readonly string[];
}

export class DryRunComparer {
  readonly #applier: Applier;
  readonly #cache: ComparisonCache;

  constructor(applier: Applier, cache: ComparisonCache = new ComparisonCache()) {
    this.#applier = applier;
    this.#cache = cache;
  }

  get cache(): ComparisonCache {
    return this.#cache;
  }

  async compare(request: CompareRequest): Promise<CompareReport> {
    const desired = request.desired.filter((o) => !isHook(o)).map((o) => withOwnership(o, request.owner));
    const resources: ResourceComparison[] = [];
    const errors: { key: string; message: string }[] = [];
    const pending: { key: string; hash: string; desired: KubeObject; live: KubeObject }[] = [];
    for (const pair of pairResources(desired, request.live)) {
      if (!pair.desired || !pair.live) {
        resources.push(compareResource({ desired: pair.desired, live: pair.live }));
        continue;
      }
      const hash = hashObject(pair.desired);
      const cached = this.#cache.get(pair.key, hash, pair.live.metadata.resourceVersion);
      if (cached) resources.push(cached);
      else pending.push({ key: pair.key, hash, desired: pair.desired, live: pair.live });
    }
    const outcomes = await this.#applier.applyAll(pending.map((p) => p.desired), { dryRun: true });
    pending.forEach((p, i) => {
      const outcome = outcomes[i]!;
      if (outcome.error) { errors.push({ key: p.key, message: outcome.error }); return; }
      try {
        const result = compareResource({ desired: p.desired, live: p.live, predicted: outcome.object, ignoreRules: request.ignoreRules });
        this.#cache.set(p.key, p.hash, p.live.metadata.resourceVersion, result);
        resources.push(result);
      } catch (err) {
        errors.push({ key: p.key, message: err instanceof Error ? err.message : String(err) });
      }
    });
    this.#cache.retain(new Set(desired.map((o) => formatKey(keyOf(o)))));
    return { resources: resources.sort((a, b) => (a.key < b.key ? -1 : 1)), errors, dryRuns: pending.length };
  }

  /**
   * Dry-runs every object: the failures, one line each (none means the sync may apply), and
   * whether some dry-run failed only transiently (then validate again before applying).
   */
  async validate(objects: readonly KubeObject[], tolerate: TolerateMissing): Promise<{ failures: string[]; retry: boolean }> {
    const outcomes = await this.#applier.applyAll(objects, { dryRun: true });
    const failures: string[] = [];
    let retry = false;
    outcomes.forEach((o, i) => {
      if (!o.error) return;
      if (isTransient(o.cause)) { retry = true; return; }
      const obj = objects[i]!;
      if (o.cause instanceof UnknownKindError && tolerate.kinds.includes(`${groupOf(obj.apiVersion)}/${obj.kind}`)) return;
      const ns = obj.metadata.namespace;
      if (ns && tolerate.namespaces.includes(ns) && o.cause instanceof KubeApiError && o.cause.status === 404 && o.cause.message.includes(`namespaces "${ns}" not found`)) return;
      failures.push(o.error);
    });
    return { failures, retry };
  }
}
