// `npm ci --ignore-scripts` done by npm's own engine, @npmcli/arborist, without the npm CLI (the
// operator image has none): load the tree the lockfile describes, build the tree package.json
// asks for, refuse when the two differ, then write exactly the lockfile's tree into node_modules.
// Every tarball is verified against its lockfile integrity by pacote; no install script runs.
import { createRequire } from 'node:module';
import { DependencyInstallError } from '../../core/npm/dependency-error.ts';
import { lockfileDrift, type TreeEntry } from '../../core/npm/lockfile.ts';
import { credentialKeyOf, type RegistryMapping } from '../../core/npm/npmrc.ts';
import type { FailedPackage } from './install-error.ts';

/** The part of an Arborist node this code reads. */
interface ArboristNode {
  readonly name: string;
  readonly version: string;
  readonly location: string;
  readonly resolved: string | null;
  readonly package: { readonly name?: string };
}

interface ArboristTree {
  readonly inventory: Map<string, ArboristNode>;
}

interface ArboristInstance {
  loadVirtual(): Promise<ArboristTree>;
  buildIdealTree(): Promise<ArboristTree>;
  reify(options?: Record<string, unknown>): Promise<ArboristTree>;
  [REIFY_NODE]?: (node: ArboristNode) => Promise<ArboristNode>;
}

type ArboristConstructor = new (options: Record<string, unknown>) => ArboristInstance;

/**
 * Arborist's per-package step of reify (download, verify, unpack). Wrapping it tells which package
 * an error was about: pacote's EINTEGRITY and a refused connection carry no package name.
 */
const REIFY_NODE: unique symbol = Symbol.for('reifyNode');

let arboristClass: ArboristConstructor | undefined;

/** Arborist, loaded on first use: an operator whose repositories have no package.json never pays for it. */
function loadArborist(): ArboristConstructor {
  arboristClass ??= (createRequire(import.meta.url)('@npmcli/arborist') as { Arborist: ArboristConstructor }).Arborist;
  return arboristClass;
}

/** The registries, their tokens, the cache and the patience of one Arborist run. */
export interface RegistryOptions {
  /** pacote's content-addressed cache of tarballs and metadata. */
  readonly cache: string;
  readonly mapping: RegistryMapping;
  /** registry URL → token, for the registries that have one. */
  readonly tokens: ReadonlyMap<string, string>;
  readonly timeoutMs: number;
  readonly retries: number;
}

export interface ArboristInstall extends RegistryOptions {
  /** The folder holding package.json and package-lock.json; node_modules is written into it. */
  readonly dir: string;
  /** package.json and the lockfile, as messages name them. */
  readonly files: { readonly packageJson: string; readonly lockfile: string };
  /** What to do about a lockfile that does not fit. */
  readonly fix: string;
}

/** An error of the install, with the package it was about when that is known. */
export class ArboristFailure extends Error {
  override readonly name = 'ArboristFailure';
  readonly error: unknown;
  readonly failed: FailedPackage | undefined;
  constructor(error: unknown, failed: FailedPackage | undefined) {
    super('the install failed');
    this.error = error;
    this.failed = failed;
  }
}

/** Installs the lockfile in `install.dir` as `npm ci --ignore-scripts` would. */
export async function installLockfile(install: ArboristInstall): Promise<void> {
  const Arborist = loadArborist();
  const arborist = new Arborist(arboristOptions(install));
  const original = arborist[REIFY_NODE];
  if (typeof original === 'function') {
    // An own property shadows the prototype's method, which reify calls as this[REIFY_NODE](node).
    arborist[REIFY_NODE] = (node) =>
      original.call(arborist, node).catch((err: unknown) => {
        throw new ArboristFailure(err, {
          name: node.name,
          version: node.version,
          resolved: node.resolved || undefined,
        });
      });
  }
  try {
    const virtual = await arborist.loadVirtual();
    const locked = entriesOf(virtual);
    const ideal = entriesOf(await arborist.buildIdealTree());
    const drift = lockfileDrift(locked, ideal);
    if (drift.length > 0) {
      const shown = drift.slice(0, 10).join('; ') + (drift.length > 10 ? `; and ${drift.length - 10} more` : '');
      throw new DependencyInstallError(
        'LockfileMismatch',
        `${install.files.packageJson} and ${install.files.lockfile} are not in sync (npm ci would refuse them ` +
          `too): ${shown}; ${install.fix}`,
      );
    }
    await arborist.reify({ save: false });
  } catch (err) {
    if (err instanceof ArboristFailure || err instanceof DependencyInstallError) throw err;
    throw new ArboristFailure(err, undefined);
  }
}

function arboristOptions(install: ArboristInstall): Record<string, unknown> {
  return {
    ...registryOptions(install),
    path: install.dir,
    // Never run a package's scripts (preinstall, install, postinstall, prepare): a deploy repository's
    // dependencies are code the operator only hands to the synthesis sandbox, never runs itself.
    ignoreScripts: true,
    // A second lock: Arborist's allowScripts policy, left empty, blocks every script it has not been told of.
    dangerouslyAllowAllScripts: false,
    allowScripts: null,
    // Nothing runs binaries: no node_modules/.bin.
    binLinks: false,
    save: false,
    packageLock: true,
    installStrategy: 'hoisted',
    // Only registry packages (validated before, refused here again should one slip through).
    allowGit: 'none',
    allowFile: 'none',
    allowDirectory: 'none',
  };
}

/** Where packages come from, with what token, and how patiently: what an install and a resolution share. */
function registryOptions(access: RegistryOptions): Record<string, unknown> {
  const options: Record<string, unknown> = {
    cache: access.cache,
    registry: access.mapping.registry,
    audit: false,
    fund: false,
    progress: false,
    timeout: access.timeoutMs,
    fetchRetries: access.retries,
    fetchRetryMintimeout: 1_000,
    fetchRetryMaxtimeout: 10_000,
    userAgent: `keelson npm-arborist node/${process.version}`,
  };
  for (const [scope, registry] of Object.entries(access.mapping.scopes)) options[`${scope}:registry`] = registry;
  for (const [registry, token] of access.tokens) options[`${credentialKeyOf(registry)}:_authToken`] = token;
  return options;
}

/**
 * Writes `dir/package-lock.json` for `dir/package.json` as `npm install --package-lock-only
 * --ignore-scripts` would: every dependency resolved against the registries and pinned with its
 * integrity, nothing downloaded into node_modules, package.json left as it is.
 */
export async function resolveLockfile(resolution: RegistryOptions & { readonly dir: string }): Promise<void> {
  const Arborist = loadArborist();
  const arborist = new Arborist({
    ...registryOptions(resolution),
    path: resolution.dir,
    ignoreScripts: true,
    packageLock: true,
    packageLockOnly: true,
    installStrategy: 'hoisted',
  });
  try {
    await arborist.reify({ save: true });
  } catch (err) {
    throw new ArboristFailure(err, undefined);
  }
}

function entriesOf(tree: ArboristTree): TreeEntry[] {
  return [...tree.inventory.values()].map((node) => ({
    location: node.location,
    name: node.name,
    version: node.version,
  }));
}
