// A deploy repository's package.json and package-lock.json, checked before anything is fetched:
// a lockfile must exist and agree with package.json, and every package it pins must come from a
// registry with an integrity to verify it by. What passes is installed exactly as pinned, so one
// key (a hash of what is pinned and where from) names the same node_modules for every Environment
// and revision that has the same lockfile.
import { createHash } from 'node:crypto';
import { defined } from '../defined.ts';
import { DependencyInstallError } from './dependency-error.ts';
import type { RegistryMapping } from './npmrc.ts';

/** The deploy-repo kit's package name. */
const KIT_PACKAGE = '@keelson/cdk8s-app';

/** The dependency fields of package.json that npm installs for the root project. */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
type DependencyField = (typeof DEPENDENCY_FIELDS)[number];

/** One package the lockfile pins, at one place in node_modules. */
export interface LockedPackage {
  /** Its path in the lockfile, e.g. `node_modules/a/node_modules/@s/b`. */
  readonly location: string;
  /** The folder name under node_modules: what `import` names. */
  readonly name: string;
  /** The package's own name when the folder is an alias (`"b": "npm:real@1"`). */
  readonly realName?: string;
  readonly version: string;
  /** The tarball URL; absent for a registry package of a lockfile written with omit-lockfile-registry-resolved. */
  readonly resolved?: string;
  /** Subresource Integrity of the tarball; absent only for a package bundled in another's tarball. */
  readonly integrity?: string;
  /** Shipped inside another package's tarball (bundleDependencies): verified with it. */
  readonly bundled: boolean;
}

export interface LockedProject {
  /** package.json and package-lock.json, where the messages say they are (e.g. `deploy/package.json`). */
  readonly files: { readonly packageJson: string; readonly lockfile: string };
  readonly lockfileVersion: 2 | 3;
  /** Sorted by location. */
  readonly packages: readonly LockedPackage[];
}

export interface DependencyFiles {
  /** The deploy repository's folder in the tree ('' for its root), for messages. */
  readonly folder: string;
  readonly packageJson: string;
  /** undefined when there is no package-lock.json. */
  readonly lockfile: string | undefined;
  /** Another package manager's lockfile beside package.json (`pnpm-lock.yaml`), when there is no npm one. */
  readonly otherLockfile?: string | undefined;
}

interface LockEntry {
  name?: unknown;
  version?: unknown;
  resolved?: unknown;
  integrity?: unknown;
  link?: unknown;
  inBundle?: unknown;
}

/**
 * The project the files describe, checked; null when package.json declares no dependency at all
 * (nothing to install). Throws DependencyInstallError naming the file and the package.
 */
export function readLockedProject(input: DependencyFiles): LockedProject | null {
  const prefix = input.folder === '' ? '' : `${input.folder}/`;
  const files = { packageJson: `${prefix}package.json`, lockfile: `${prefix}package-lock.json` };
  const fix = lockfileFix(input.folder);
  const manifest = parseObject(input.packageJson, files.packageJson);
  const declared = DEPENDENCY_FIELDS.flatMap((field) =>
    Object.entries(dependencyMap(manifest[field], field, files.packageJson)).map(([name, spec]) => ({
      field,
      name,
      spec,
    })),
  );
  if (manifest.workspaces !== undefined) {
    throw new DependencyInstallError(
      'NotReproducible',
      `${files.packageJson} declares workspaces, which Keelson does not install: ` +
        'depend on the packages through a registry instead',
    );
  }
  if (manifest.patchedDependencies !== undefined) {
    throw new DependencyInstallError(
      'NotReproducible',
      `${files.packageJson} declares patchedDependencies, which Keelson does not apply: ` +
        'publish the patched package to a registry instead',
    );
  }
  if (declared.length === 0) return null;
  for (const dep of declared) refuseUnreproducibleSpec(dep, files.packageJson);
  if (input.lockfile === undefined) {
    throw new DependencyInstallError(
      'NoLockfile',
      `${files.packageJson} declares dependencies but there is no ${files.lockfile}: Keelson installs only what a ` +
        `lockfile pins` +
        (input.otherLockfile === undefined ? '' : ` (npm's lockfile; it does not read ${input.otherLockfile})`) +
        `; ${fix}`,
    );
  }
  const lock = parseObject(input.lockfile, files.lockfile);
  const lockfileVersion = lock.lockfileVersion;
  if (lockfileVersion !== 2 && lockfileVersion !== 3) {
    throw new DependencyInstallError(
      'Invalid',
      `${files.lockfile} has lockfileVersion ${JSON.stringify(lockfileVersion)}; Keelson reads versions 2 and 3 ` +
        `(written by npm 7 and later): ${fix}`,
    );
  }
  const entries = lock.packages;
  if (!isObject(entries) || !isObject(entries[''])) {
    throw new DependencyInstallError(
      'Invalid',
      `${files.lockfile} has no "packages" entry for the project itself (""): ${fix}`,
    );
  }
  checkRootAgrees(declared, entries as Record<string, LockEntry>, files, fix);
  const packages = Object.entries(entries)
    .filter(([location]) => location !== '')
    .map(([location, entry]) => lockedPackage(location, entry, files.lockfile, fix))
    .sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  return { files, lockfileVersion, packages };
}

/** What to do about a lockfile that does not fit: the same words in every message. */
export function lockfileFix(folder: string): string {
  const where = folder === '' ? 'the repository root' : folder;
  return `run \`npm install\` in ${where} and commit package.json and package-lock.json`;
}

/**
 * The store key of an install: a hash of every pinned package (place, name, version, tarball,
 * integrity) and of the registries they come from. Never of a token: the same lockfile gives the
 * same files whoever fetched them, since every tarball is verified against its integrity.
 */
export function dependencyKey(project: LockedProject, mapping: RegistryMapping): string {
  const hash = createHash('sha256');
  hash.update('keelson-npm-install/v1\n');
  hash.update(`${JSON.stringify([mapping.registry, Object.entries(mapping.scopes)])}\n`);
  for (const p of project.packages) {
    const fields = [p.location, p.realName ?? p.name, p.version, p.resolved ?? null, p.integrity ?? null, p.bundled];
    hash.update(`${JSON.stringify(fields)}\n`);
  }
  return hash.digest('hex');
}

/** name and version of every installed package, each once, sorted: what an install reports. */
export function packagesOf(project: LockedProject): { name: string; version: string }[] {
  const seen = new Map<string, { name: string; version: string }>();
  for (const p of project.packages) seen.set(`${p.name}@${p.version}`, { name: p.name, version: p.version });
  return [...seen.values()].sort((a, b) =>
    a.name === b.name ? (a.version < b.version ? -1 : 1) : a.name < b.name ? -1 : 1,
  );
}

/** `name@version`, with the real package of an alias. */
export function describePackage(p: Pick<LockedPackage, 'name' | 'realName' | 'version'>): string {
  return p.realName && p.realName !== p.name ? `${p.name} (${p.realName}@${p.version})` : `${p.name}@${p.version}`;
}

/** The folder name a lockfile location installs: the part after its last `node_modules/`. */
export function nameAtLocation(location: string): string {
  const at = location.lastIndexOf('node_modules/');
  return at < 0 ? location : location.slice(at + 'node_modules/'.length);
}

export interface TreeEntry {
  readonly location: string;
  readonly name: string;
  readonly version: string;
}

/**
 * How the tree npm would build from package.json (`ideal`) differs from the lockfile (`locked`):
 * what `npm ci` refuses as "not in sync". Each line names a package; empty when they agree.
 */
export function lockfileDrift(locked: readonly TreeEntry[], ideal: readonly TreeEntry[]): string[] {
  const byLocation = new Map(locked.map((e) => [e.location, e]));
  const problems: string[] = [];
  for (const want of ideal) {
    if (want.location === '') continue;
    const have = byLocation.get(want.location);
    if (!have) problems.push(`${want.name}@${want.version} is missing from the lockfile`);
    else if (have.version !== want.version) {
      problems.push(`${want.name}: the lockfile pins ${have.version} but package.json needs ${want.version}`);
    }
  }
  return problems;
}

function checkRootAgrees(
  declared: readonly { field: DependencyField; name: string; spec: string }[],
  entries: Record<string, LockEntry>,
  files: LockedProject['files'],
  fix: string,
): void {
  const root = entries[''] as Record<string, unknown>;
  for (const { field, name, spec } of declared) {
    const locked = isObject(root[field]) ? (root[field] as Record<string, unknown>)[name] : undefined;
    if (locked === undefined) {
      throw new DependencyInstallError(
        'LockfileMismatch',
        `${files.packageJson} has "${name}": "${spec}" in ${field} but ${files.lockfile} does not: ${fix}`,
      );
    }
    if (locked !== spec) {
      throw new DependencyInstallError(
        'LockfileMismatch',
        `${files.packageJson} asks for "${name}": "${spec}" but ${files.lockfile} was made for ` +
          `${JSON.stringify(locked)}: ${fix}`,
      );
    }
    // An optional dependency, or an optional peer, may be left out (a platform it does not support).
    const optional = field === 'optionalDependencies' || (field === 'peerDependencies' && isOptionalPeer(root, name));
    if (!optional && !isObject(entries[`node_modules/${name}`])) {
      throw new DependencyInstallError(
        'LockfileMismatch',
        `${files.lockfile} does not pin "${name}" (no "node_modules/${name}" entry), which ${files.packageJson} ` +
          `has in ${field}: ${fix}`,
      );
    }
  }
  const wanted = new Set(declared.map((d) => `${d.field}\0${d.name}`));
  for (const field of DEPENDENCY_FIELDS) {
    const locked = isObject(root[field]) ? Object.keys(root[field] as object) : [];
    const stale = locked.find((name) => !wanted.has(`${field}\0${name}`));
    if (stale !== undefined) {
      throw new DependencyInstallError(
        'LockfileMismatch',
        `${files.lockfile} has "${stale}" in ${field}, which ${files.packageJson} no longer declares: ${fix}`,
      );
    }
  }
}

function lockedPackage(location: string, value: unknown, file: string, fix: string): LockedPackage {
  const name = nameAtLocation(location);
  if (!isObject(value)) {
    throw new DependencyInstallError('Invalid', `${file}: the entry "${location}" is not an object`);
  }
  const entry = value as LockEntry;
  if (!location.startsWith('node_modules/') && !location.includes('/node_modules/')) {
    throw new DependencyInstallError(
      'NotReproducible',
      `${file} has "${location}", a package inside the repository (a workspace or file: dependency), ` +
        'which Keelson does not install: depend on it through a registry instead',
    );
  }
  if (entry.link === true) {
    throw new DependencyInstallError(
      'NotReproducible',
      `${file}: "${name}" links to ${JSON.stringify(entry.resolved)} in the repository (a file:, link: or ` +
        'workspace dependency), which Keelson does not install: publish it to a registry and depend on that',
    );
  }
  const version = typeof entry.version === 'string' ? entry.version : undefined;
  const realName = typeof entry.name === 'string' && entry.name !== name ? entry.name : undefined;
  const bundled = entry.inBundle === true;
  const label = version ? `"${name}" ${version}` : `"${name}"`;
  if (version === undefined) {
    throw new DependencyInstallError('Invalid', `${file}: ${label} (at "${location}") has no version: ${fix}`);
  }
  const resolved = typeof entry.resolved === 'string' ? entry.resolved : undefined;
  const integrity = typeof entry.integrity === 'string' ? entry.integrity : undefined;
  if (resolved !== undefined && !/^https?:\/\//.test(resolved)) {
    throw new DependencyInstallError(
      'NotReproducible',
      `${file}: ${label} comes from ${JSON.stringify(resolved)}, not from a registry (a git, file: or ` +
        'link: dependency): publish it to a registry and depend on that',
    );
  }
  if (!bundled && integrity === undefined) {
    throw new DependencyInstallError(
      'NotReproducible',
      `${file}: ${label} has no integrity, so what the registry serves cannot be verified: ${fix} with npm 7 or later`,
    );
  }
  if (!bundled && resolved === undefined && !/^\d+\.\d+\.\d+/.test(version)) {
    throw new DependencyInstallError(
      'NotReproducible',
      `${file}: ${label} has no "resolved" and no registry version: it is not a registry package`,
    );
  }
  return defined({ location, name, realName, version, resolved, integrity, bundled });
}

/** Specs npm fetches from somewhere other than a registry: a folder, a tarball file, a Git host. */
function refuseUnreproducibleSpec(dep: { field: DependencyField; name: string; spec: string }, file: string): void {
  const spec = dep.spec.startsWith('npm:') ? dep.spec.slice(dep.spec.lastIndexOf('@') + 1) : dep.spec;
  const local = /^(file:|link:|workspace:|\.{0,2}\/|~\/)/.test(spec);
  const git = /^(git(\+[a-z]+)?:|github:|gitlab:|bitbucket:|gist:)/.test(spec) || /^[^@:/\s]+\/[^:/\s]+$/.test(spec);
  if (!local && !git) return;
  const what = local ? 'a path in the repository' : 'a Git repository';
  // A repository made by `keelson init --kit file:…` that later adds packages of its own.
  const fix =
    dep.name === KIT_PACKAGE
      ? 'publish the kit that `make kit` packs to a registry the .npmrc names, and depend on its version'
      : 'publish it to a registry and depend on a version';
  throw new DependencyInstallError(
    'NotReproducible',
    `${file}: "${dep.name}": "${dep.spec}" in ${dep.field} is ${what}, which a registry cannot reproduce: ${fix}`,
  );
}

function dependencyMap(value: unknown, field: string, file: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new DependencyInstallError('Invalid', `${file}: "${field}" must map package names to version strings`);
  }
  return value as Record<string, string>;
}

function isOptionalPeer(root: Record<string, unknown>, name: string): boolean {
  const metas = root.peerDependenciesMeta;
  const meta = isObject(metas) ? metas[name] : undefined;
  return isObject(meta) && meta.optional === true;
}

function parseObject(text: string, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DependencyInstallError('Invalid', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw new DependencyInstallError('Invalid', `${file} is not a JSON object`);
  return value as Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
