// Comparison of desired with live through a server-side apply dry-run, cached by (desired
// hash, live fingerprint) so a steady state sends no request; what a sync applied is
// remembered as Synced, so the comparison after it needs no dry-run either; and the
// validation that runs before a sync applies anything, which skips objects a dry-run or an
// apply accepted moments ago.
import type { KubeObject } from '../../core/manifest.ts';
import { describeKey, formatKey, groupOf, keyOf } from '../../core/manifest.ts';
import {
  ComparisonCache,
  compareResource,
  hashObject,
  liveFingerprint,
  pairResources,
  type IgnoreDifference,
  type ResourceComparison,
} from '../../core/diff/index.ts';
import { isHook } from '../../core/sync/annotations.ts';
import {
  DEFAULT_SYNC_OPTIONS,
  fieldValidationOf,
  immutableFieldAdvice,
  type SyncOptions,
} from '../../core/sync/sync-options.ts';
import { withOwnership, type OwnerReference } from '../../core/sync/ownership.ts';
import type { Applier, ApplyOutcome } from './applier.ts';
import { isTransient, KubeApiError } from './api-error.ts';
import { UnknownKindError } from './resource-map.ts';

export interface CompareRequest {
  /** Desired objects (hooks are left out of the comparison). */
  readonly desired: readonly KubeObject[];
  /** Live objects the Environment manages. */
  readonly live: readonly KubeObject[];
  readonly owner: OwnerReference;
  readonly ignoreRules?: readonly IgnoreDifference[];
  /** Each object's sync options (Validate=false dry-runs it without strict field validation). */
  readonly syncOptions?: (obj: KubeObject) => SyncOptions;
  /**
   * Desired objects (by formatKey) not in `live` only because the caller has not seen them:
   * a dry-run finds out whether they exist (see probe()), and `read` fetches one that does.
   * Without it, a desired object missing from `live` is Missing.
   */
  readonly unseen?: {
    readonly keys: ReadonlySet<string>;
    readonly read: (desired: KubeObject) => Promise<KubeObject | undefined>;
  };
}

export interface CompareReport {
  readonly resources: readonly ResourceComparison[];
  /** Objects whose dry-run failed: `Deployment shop/web: <message>`. */
  readonly errors: readonly { readonly key: string; readonly message: string }[];
  /** Dry-run requests sent (0 when everything came from the cache). */
  readonly dryRuns: number;
  /** Live objects of unseen keys that turned out to exist. */
  readonly found: readonly KubeObject[];
}

export interface TolerateMissing {
  /** Namespaces the sync itself creates: "namespace not found" is expected for objects in them. */
  readonly namespaces: readonly string[];
  /** `group/Kind` of CRDs the sync itself creates. */
  readonly kinds: readonly string[];
}

/** The live fingerprint of an object that does not exist. */
const ABSENT = '-';

/** How long a successful dry-run or apply of an object vouches for it in validate(). */
export const VERIFIED_FOR_MS = 60_000;

export class DryRunComparer {
  readonly #applier: Applier;
  readonly #cache: ComparisonCache;
  readonly #clock: () => number;

  constructor(applier: Applier, options: { readonly cache?: ComparisonCache; readonly clock?: () => number } = {}) {
    this.#applier = applier;
    this.#cache = options.cache ?? new ComparisonCache();
    this.#clock = options.clock ?? Date.now;
  }

  get cache(): ComparisonCache {
    return this.#cache;
  }

  async compare(request: CompareRequest): Promise<CompareReport> {
    const desired = request.desired.filter((o) => !isHook(o)).map((o) => withOwnership(o, request.owner));
    const resources: ResourceComparison[] = [];
    const errors: { key: string; message: string }[] = [];
    const pending: { key: string; hash: string; fingerprint: string; desired: KubeObject; live: KubeObject }[] = [];
    const rules = rulesKey(request.ignoreRules);
    const probes: { key: string; hash: string; desired: KubeObject }[] = [];
    for (const pair of pairResources(desired, request.live)) {
      if (pair.desired && !pair.live && request.unseen?.keys.has(pair.key)) {
        probes.push({ key: pair.key, hash: hashObject(pair.desired), desired: pair.desired });
        continue;
      }
      if (!pair.desired || !pair.live) {
        resources.push(compareResource({ desired: pair.desired, live: pair.live }));
        continue;
      }
      const hash = hashObject(pair.desired);
      const fingerprint = liveFingerprint(pair.live) + rules;
      const cached = this.#cache.get(pair.key, hash, fingerprint);
      if (cached) resources.push(cached);
      else pending.push({ key: pair.key, hash, fingerprint, desired: pair.desired, live: pair.live });
    }
    // One round of dry-runs: the comparisons the cache could not answer, and the probes.
    const optionsOf = request.syncOptions ?? (() => DEFAULT_SYNC_OPTIONS);
    const all = await this.#applier.applyAll(
      [...pending.map((p) => p.desired), ...probes.map((p) => p.desired)],
      (o) => ({ dryRun: true, fieldValidation: fieldValidationOf(optionsOf(o)) }),
    );
    const outcomes = all.slice(0, pending.length);
    const found: KubeObject[] = [];
    await Promise.all(
      probes.map(async (p, i) => {
        const probed = await this.#probed(
          p,
          all[pending.length + i]!,
          request.unseen!.read,
          rules,
          request.ignoreRules,
        );
        if (probed.result) resources.push(probed.result);
        if (probed.error) errors.push({ key: p.key, message: probed.error });
        if (probed.live) found.push(probed.live);
      }),
    );
    pending.forEach((p, i) => {
      const outcome = outcomes[i]!;
      if (outcome.error) {
        errors.push({ key: p.key, message: immutableMessage(p.desired, outcome, optionsOf) ?? outcome.error });
        return;
      }
      try {
        const result = compareResource({
          desired: p.desired,
          live: p.live,
          predicted: outcome.object,
          ignoreRules: request.ignoreRules,
        });
        this.#cache.set(p.key, p.hash, p.fingerprint, result, this.#clock());
        resources.push(result);
      } catch (err) {
        errors.push({ key: p.key, message: err instanceof Error ? err.message : String(err) });
      }
    });
    this.#cache.retain(new Set(desired.map((o) => formatKey(keyOf(o)))));
    return {
      resources: resources.sort((a, b) => (a.key < b.key ? -1 : 1)),
      errors,
      dryRuns: pending.length + probes.length,
      found,
    };
  }

  /**
   * What a dry-run of an object the caller has not seen says. The API server answers a
   * dry-run apply of an object that does not exist with the object it would create, without
   * a resourceVersion; of one that exists, with the result at the existing resourceVersion.
   * So a new object costs one request, which also validates it for the sync that follows,
   * and not a GET that finds nothing and then a dry-run. An object that exists (one Keelson
   * does not manage yet) is read and compared with the dry-run's result; a failed dry-run
   * falls back to a read, so the outcome is what a read and a comparison would have given.
   */
  async #probed(
    probe: { key: string; hash: string; desired: KubeObject },
    outcome: ApplyOutcome,
    read: (desired: KubeObject) => Promise<KubeObject | undefined>,
    rules: string,
    ignoreRules: readonly IgnoreDifference[] | undefined,
  ): Promise<{ result?: ResourceComparison; live?: KubeObject; error?: string }> {
    const missing: ResourceComparison = { key: probe.key, status: 'OutOfSync', reason: 'Missing', changes: [] };
    if (outcome.object && !outcome.object.metadata.resourceVersion) {
      this.#cache.set(probe.key, probe.hash, ABSENT, missing, this.#clock());
      return { result: missing };
    }
    // Its namespace or its kind does not exist (yet): neither does the object.
    if (
      outcome.cause instanceof UnknownKindError ||
      (outcome.cause instanceof KubeApiError && outcome.cause.status === 404)
    )
      return { result: missing };
    const live = await read(probe.desired);
    if (!live) return { result: missing };
    if (outcome.error) return { live, error: outcome.error };
    const result = compareResource({ desired: probe.desired, live, predicted: outcome.object, ignoreRules });
    this.#cache.set(probe.key, probe.hash, liveFingerprint(live) + rules, result, this.#clock());
    return { result, live };
  }

  /**
   * What a sync applied (with ownership, as sent) and what the API server stored: applying
   * it again would change nothing, so the next comparison of that live object is Synced.
   */
  remember(
    applied: readonly { readonly desired: KubeObject; readonly live: KubeObject }[],
    ignoreRules?: readonly IgnoreDifference[],
  ): void {
    const now = this.#clock();
    const rules = rulesKey(ignoreRules);
    for (const { desired, live } of applied) {
      const key = formatKey(keyOf(desired));
      this.#cache.set(
        key,
        hashObject(desired),
        liveFingerprint(live) + rules,
        { key, status: 'Synced', changes: [] },
        now,
      );
    }
  }

  /**
   * Dry-runs every object: the failures, one line each (none means the sync may apply), and
   * whether some dry-run failed only transiently (then validate again before applying).
   */
  async validate(
    all: readonly KubeObject[],
    tolerate: TolerateMissing,
    optionsOf: (obj: KubeObject) => SyncOptions = () => DEFAULT_SYNC_OPTIONS,
  ): Promise<{ failures: string[]; retry: boolean }> {
    // An object the API server accepted moments ago, unchanged since, needs no second dry-run.
    const since = this.#clock() - VERIFIED_FOR_MS;
    const objects = all.filter((o) => !this.#cache.verifiedSince(formatKey(keyOf(o)), hashObject(o), since));
    const outcomes = await this.#applier.applyAll(objects, (o) => ({
      dryRun: true,
      fieldValidation: fieldValidationOf(optionsOf(o)),
    }));
    const failures: string[] = [];
    let retry = false;
    outcomes.forEach((o, i) => {
      if (!o.error) return;
      if (isTransient(o.cause)) {
        retry = true;
        return;
      }
      const obj = objects[i]!;
      const options = optionsOf(obj);
      if (o.cause instanceof UnknownKindError) {
        // A CRD this sync creates, or one the object says will be there by the time it is applied.
        if (tolerate.kinds.includes(`${groupOf(obj.apiVersion)}/${obj.kind}`)) return;
        if (options.skipDryRunOnMissingResource) return;
      }
      const immutable = o.cause instanceof KubeApiError ? o.cause.immutableFields : [];
      if (immutable.length > 0) {
        // Force=true: the apply deletes it and creates it again.
        if (!options.force) failures.push(`${o.error}; ${immutableFieldAdvice(immutable)}`);
        return;
      }
      const ns = obj.metadata.namespace;
      if (
        ns &&
        tolerate.namespaces.includes(ns) &&
        o.cause instanceof KubeApiError &&
        o.cause.status === 404 &&
        o.cause.subject?.kind === 'namespaces' &&
        o.cause.subject.name === ns
      )
        return;
      const undeclared = o.cause instanceof KubeApiError && o.cause.undeclaredField;
      failures.push(
        undeclared ? `${o.error} (the sync option Validate=false drops fields the schema does not know)` : o.error,
      );
    });
    return { failures, retry };
  }
}

/** Why a dry-run refused an object's change to immutable fields, and what the sync will do about it. */
function immutableMessage(
  obj: KubeObject,
  outcome: ApplyOutcome,
  optionsOf: (obj: KubeObject) => SyncOptions,
): string | undefined {
  const fields = outcome.cause instanceof KubeApiError ? outcome.cause.immutableFields : [];
  if (fields.length === 0) return undefined;
  const what = describeKey(keyOf(obj));
  if (optionsOf(obj).force)
    return `${what}: ${fields.join(', ')} cannot change in place: the sync deletes and creates it again (Force=true)`;
  return `${outcome.error}; ${immutableFieldAdvice(fields)}`;
}

/** The ignore rules' part of a comparison's key (with the live fingerprint): '' without rules. */
function rulesKey(ignoreRules: readonly IgnoreDifference[] | undefined): string {
  return ignoreRules?.length ? `/${hashObject(ignoreRules)}` : '';
}
