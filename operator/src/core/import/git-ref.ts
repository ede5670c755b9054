// A Git source of an Application as a GitRepository spec: the repoURL as an HTTPS URL Keelson
// can fetch, targetRevision as spec.ref (a branch, a tag, a semver range or a commit), and a
// name for the GitRepository derived from the URL.
import type { GitRepositoryRef } from '../../api/v1alpha1/git-repository.ts';
import type { ImportNotes } from './import-notes.ts';

export interface GitLocation {
  readonly url: string;
  readonly insecure?: boolean;
  readonly ref?: GitRepositoryRef;
}

/** The URL Keelson fetches (smart HTTP), or undefined for one it cannot (noted). */
type FetchUrl = Pick<GitLocation, 'url' | 'insecure'>;
const TOKEN_HINT = 'put a username and token in a Secret, name it in spec.secretRef';

export function fetchUrl(repoURL: string, field: string, notes: ImportNotes): FetchUrl | undefined {
  if (repoURL.startsWith('https://')) {
    notes.convert(field, `GitRepository spec.url (private? ${TOKEN_HINT})`);
    return { url: repoURL };
  }
  if (repoURL.startsWith('http://')) {
    notes.convert(field, 'GitRepository spec.url with spec.insecure: true (plain http)');
    return { url: repoURL, insecure: true };
  }
  const scp = /^[^@/\s]+@([^:/\s]+):(?!\/)(.+)$/.exec(repoURL);
  const ssh = /^ssh:\/\/(?:[^@/\s]+@)?([^:/\s]+)(?::[0-9]+)?\/(.+)$/.exec(repoURL);
  const match = scp ?? ssh;
  if (match) {
    const url = `https://${match[1]}/${match[2]}`;
    notes.convert(field, `GitRepository spec.url ${url}: Keelson fetches over HTTPS, not SSH (${TOKEN_HINT})`);
    return { url };
  }
  return undefined;
}

const COMMIT = /^[0-9a-fA-F]{40}$/;
const VERSION = /^v?[0-9]+(\.[0-9]+)+([-+][0-9A-Za-z.+-]*)?$/;
const SEMVER_RANGE = /[*^~<>=|]|(^|\.)[xX](\.|$)| - /;

/** targetRevision as spec.ref; undefined (noted) for HEAD or none. */
export function gitRef(
  targetRevision: string | undefined,
  field: string,
  notes: ImportNotes,
): GitRepositoryRef | undefined {
  const revision = targetRevision?.trim() ?? '';
  if (revision === '' || revision === 'HEAD') {
    notes.skip(
      field,
      `${revision === '' ? 'not set' : 'HEAD'} (the remote's default branch): a GitRepository without ` +
        'spec.ref follows branch "main"; set spec.ref.branch if the default branch is another',
    );
    return undefined;
  }
  if (COMMIT.test(revision)) return converted(notes, field, { commit: revision.toLowerCase() }, 'the commit');
  if (revision.startsWith('refs/heads/')) return converted(notes, field, { branch: revision.slice(11) }, 'a branch');
  if (revision.startsWith('refs/tags/')) return converted(notes, field, { tag: revision.slice(10) }, 'a tag');
  if (VERSION.test(revision)) {
    const what = 'a tag: it looks like a version (make it spec.ref.branch if it is a branch)';
    return converted(notes, field, { tag: revision }, what);
  }
  if (SEMVER_RANGE.test(revision)) {
    return converted(notes, field, { semver: revision }, 'the highest tag in this range');
  }
  return converted(notes, field, { branch: revision }, 'a branch (make it spec.ref.tag if it is a tag)');
}

function converted(notes: ImportNotes, field: string, ref: GitRepositoryRef, what: string): GitRepositoryRef {
  const [key, value] = Object.entries(ref)[0]!;
  notes.convert(field, `GitRepository spec.ref.${key}: ${value}, ${what}`);
  return ref;
}

/** A DNS label for the GitRepository of a URL: `https://github.com/acme/shop.git` → `shop`. */
export function repositoryName(url: string): string {
  const last = url.replace(/[/]+$/, '').split(/[/:]/).at(-1) ?? '';
  return dnsLabel(last.replace(/\.git$/, '')) || 'repository';
}

/** Lowercase letters, digits and '-', at most 63, starting and ending alphanumeric; '' if none. */
export function dnsLabel(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/** Names GitRepositories: one per URL and ref, so Applications of one repository share its fetch. */
export class RepositoryNames {
  readonly #byLocation = new Map<string, string>();
  readonly #taken = new Set<string>();

  nameOf(location: GitLocation): string {
    const key = JSON.stringify([location.url, location.ref ?? {}]);
    const known = this.#byLocation.get(key);
    if (known) return known;
    const base = repositoryName(location.url);
    const ref = location.ref?.commit?.slice(0, 7) ?? Object.values(location.ref ?? {})[0] ?? '';
    const refName = dnsLabel(ref);
    const candidates = [base, ...(refName ? [dnsLabel(`${base}-${refName}`)] : [])];
    let name = candidates.find((c) => !this.#taken.has(c));
    for (let n = 2; name === undefined; n++) if (!this.#taken.has(`${base}-${n}`)) name = `${base}-${n}`;
    this.#byLocation.set(key, name);
    this.#taken.add(name);
    return name;
  }
}
