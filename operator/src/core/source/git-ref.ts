// Choosing the commit a GitRepository's spec.ref means, from the refs a server advertises:
// a branch head, a tag (peeled to its commit), the highest tag in a semver range, or one
// exact commit. Pure: the adapter lists the refs, this decides.
import semver from 'semver';
import type { GitRepositoryRef } from '../../api/v1alpha1/git-repository.ts';

/** A ref as the server advertises it; `peeled` is the commit an annotated tag points at. */
export interface AdvertisedRef {
  readonly ref: string;
  readonly oid: string;
  readonly peeled?: string;
}

/** What spec.ref resolved to: a name for people (`main`, `v1.2.0`) and the commit. */
export interface ResolvedRef {
  readonly name: string;
  /** The full ref to fetch (`refs/heads/main`), or undefined for a bare commit. */
  readonly ref: string | undefined;
  readonly commit: string;
}

/** The spec.ref was valid but names nothing on the server. */
export class RefNotFoundError extends Error {
  override readonly name = 'RefNotFoundError';
}

/** The spec.ref can never resolve (e.g. a semver range that does not parse). */
export class InvalidRefError extends Error {
  override readonly name = 'InvalidRefError';
}

export const DEFAULT_BRANCH = 'main';

/** The refs prefix worth asking the server for (ls-refs), so a big repository answers little. */
export function refPrefix(ref: GitRepositoryRef | undefined): string {
  if (ref?.tag !== undefined) return `refs/tags/${ref.tag}`;
  if (ref?.semver !== undefined) return 'refs/tags/';
  if (ref?.commit !== undefined) return 'refs/heads/';
  return `refs/heads/${ref?.branch ?? DEFAULT_BRANCH}`;
}

/** Resolves spec.ref against the advertised refs; throws RefNotFoundError or InvalidRefError. */
export function selectRef(ref: GitRepositoryRef | undefined, advertised: readonly AdvertisedRef[]): ResolvedRef {
  if (ref?.commit !== undefined) return { name: 'HEAD', ref: undefined, commit: ref.commit };
  if (ref?.semver !== undefined) return selectSemver(ref.semver, advertised);
  if (ref?.tag !== undefined) {
    const found = findTag(advertised, ref.tag);
    if (!found) throw new RefNotFoundError(`tag "${ref.tag}" does not exist in the repository`);
    return found;
  }
  const branch = ref?.branch ?? DEFAULT_BRANCH;
  const head = advertised.find((r) => r.ref === `refs/heads/${branch}`);
  if (!head) throw new RefNotFoundError(`branch "${branch}" does not exist in the repository`);
  return { name: branch, ref: head.ref, commit: head.oid };
}

function findTag(advertised: readonly AdvertisedRef[], tag: string): ResolvedRef | undefined {
  const full = `refs/tags/${tag}`;
  const plain = advertised.find((r) => r.ref === full);
  if (!plain) return undefined;
  // Servers speaking protocol v1 advertise the peeled commit as a separate `^{}` ref.
  const peeled = plain.peeled ?? advertised.find((r) => r.ref === `${full}^{}`)?.oid ?? plain.oid;
  return { name: tag, ref: full, commit: peeled };
}

function selectSemver(range: string, advertised: readonly AdvertisedRef[]): ResolvedRef {
  if (semver.validRange(range) === null) throw new InvalidRefError(`"${range}" is not a semver range`);
  const byVersion = new Map<string, string>();
  for (const r of advertised) {
    if (!r.ref.startsWith('refs/tags/') || r.ref.endsWith('^{}')) continue;
    const tag = r.ref.slice('refs/tags/'.length);
    const version = semver.valid(tag.startsWith('v') ? tag.slice(1) : tag);
    if (version === null) continue;
    // Prefer the plain `1.2.0` over `v1.2.0` only when both exist; either is fine.
    if (!byVersion.has(version)) byVersion.set(version, tag);
  }
  const best = semver.maxSatisfying([...byVersion.keys()], range);
  if (best === null) throw new RefNotFoundError(`no tag matches the semver range "${range}"`);
  return findTag(advertised, byVersion.get(best)!)!;
}

/** The artifact revision: `main@sha1:<40 hex>`. */
export function formatRevision(resolved: Pick<ResolvedRef, 'name' | 'commit'>): string {
  return `${resolved.name}@sha1:${resolved.commit}`;
}

/** Splits `main@sha1:<hex>` into its name and commit, or undefined when it is not one. */
export function parseRevision(revision: string): { name: string; commit: string } | undefined {
  const m = /^(.+)@sha1:([0-9a-f]{40})$/.exec(revision);
  return m ? { name: m[1]!, commit: m[2]! } : undefined;
}
