// A deploy repository's own npm dependencies (its package.json and package-lock.json), installed
// exactly as the lockfile pins them and kept on disk by a key of what is pinned: every Environment
// and revision with the same lockfile shares one node_modules, and one installed before is served
// from the disk with no network, so a registry that is down does not stop a lockfile installed
// before. Nothing of the repository decides how: its .npmrc names registries and nothing else,
// tokens come from the Environment, and no install script ever runs.
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DependencyInstallError } from '../../core/npm/dependency-error.ts';
import {
  dependencyKey,
  lockfileFix,
  packagesOf,
  readLockedProject,
  type LockedProject,
} from '../../core/npm/lockfile.ts';
import { parseNpmrc, registriesOf, type RegistryMapping, NPM_PUBLIC_REGISTRY } from '../../core/npm/npmrc.ts';
import { normalizeTreePath, type SourceTree } from '../../core/source.ts';
import { ArboristFailure, installLockfile } from './arborist.ts';
import { classifyInstallError, type FailureContext, type TokenSource } from './install-error.ts';

export { DependencyInstallError } from '../../core/npm/dependency-error.ts';
export type { DependencyFailureReason } from '../../core/npm/dependency-error.ts';

/** How to reach one registry: from the Secret the Environment references. Never from the repository. */
export interface RegistryAccess {
  readonly token?: string;
}

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
}

export interface InstalledDependencies {
  /** sha256 of the pinned packages and their registries: the same for the same lockfile, whatever the token. */
  readonly key: string;
  /** The folder that holds node_modules (and a copy of package.json and package-lock.json). */
  readonly dir: string;
  /** Each installed package once, sorted by name. */
  readonly packages: readonly InstalledPackage[];
  /** Settings of the repository's .npmrc that were ignored (their keys only), for a warning. */
  readonly ignoredNpmrcSettings: readonly string[];
}

export interface DependencyStoreOptions {
  /** Holds the installs (one folder per key), pacote's cache (`_cacache`) and installs in progress (`_tmp`). */
  readonly cacheDir: string;
  /** Installs kept; the least recently used past this are deleted. @default 16 */
  readonly maxEntries?: number;
  /** The registry when the repository's .npmrc names none. @default https://registry.npmjs.org/ */
  readonly defaultRegistry?: string;
  /** Time one request to a registry may take, in ms. @default 30000 */
  readonly timeoutMs?: number;
  /** Retries of a request that failed for the network or a 5xx. @default 2 */
  readonly retries?: number;
  /** Where the tokens `install` is given come from, for what a refusal advises. @default 'environment' */
  readonly tokensFrom?: TokenSource;
}

/** The bytes package.json, package-lock.json or .npmrc may have. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** An install folder of another process that has not been touched for this long is abandoned. */
const ABANDONED_MS = 60 * 60 * 1000;
const KEY = /^[0-9a-f]{64}$/;

export class DependencyStore {
  readonly #cacheDir: string;
  readonly #maxEntries: number;
  readonly #defaultRegistry: string;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #tokensFrom: TokenSource;
  /** Installs in progress, by key: concurrent installs of one lockfile share one. */
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(options: DependencyStoreOptions) {
    this.#cacheDir = options.cacheDir;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 16);
    this.#defaultRegistry = options.defaultRegistry ?? NPM_PUBLIC_REGISTRY;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retries = options.retries ?? 2;
    this.#tokensFrom = options.tokensFrom ?? 'environment';
  }

  /**
   * The dependencies of the deploy repository at `path` in the tree, installed; null when its folder
   * has no package.json or the package.json declares no dependency. `access` gives the token of a
   * registry (called with each registry the .npmrc names, ending with '/'). Throws DependencyInstallError.
   */
  async install(
    tree: SourceTree,
    path: string,
    access: (registryUrl: string) => RegistryAccess,
  ): Promise<InstalledDependencies | null> {
    const folder = normalizeTreePath(path);
    const at = (name: string) => (folder === '' ? name : `${folder}/${name}`);
    const packageJson = await readText(tree, at('package.json'));
    if (packageJson === undefined) return null;
    const [lockfile, npmrc] = await Promise.all([
      readText(tree, at('package-lock.json')),
      readText(tree, at('.npmrc')),
    ]);
    const otherLockfile = lockfile === undefined ? await otherLockfileIn(tree, folder) : undefined;
    const project = readLockedProject({ folder, packageJson, lockfile, otherLockfile });
    if (project === null || lockfile === undefined) return null;
    const { mapping, ignored } = parseNpmrc(npmrc, at('.npmrc'), this.#defaultRegistry);
    const key = dependencyKey(project, mapping);
    const dir = await this.#installed(key, { folder, project, packageJson, lockfile, mapping, access });
    return { key, dir, packages: packagesOf(project), ignoredNpmrcSettings: ignored };
  }

  /** The folder of an install, from the disk, from an install in progress, or installed now. */
  #installed(key: string, request: InstallRequest, retried = false): Promise<string> {
    const running = this.#inFlight.get(key);
    if (running) {
      // The install under way asked the registry with another Environment's access: when that was
      // refused, this caller's own token may still be good, so it tries once with it.
      return running.catch((err: unknown) => {
        const refused = err instanceof DependencyInstallError && err.reason === 'Unauthorized';
        if (refused && !retried) return this.#installed(key, request, true);
        throw err;
      });
    }
    const promise = this.#fromDiskOrInstall(key, request).finally(() => {
      if (this.#inFlight.get(key) === promise) this.#inFlight.delete(key);
    });
    this.#inFlight.set(key, promise);
    return promise;
  }

  async #fromDiskOrInstall(key: string, request: InstallRequest): Promise<string> {
    const dir = join(this.#cacheDir, key);
    if (await exists(join(dir, 'node_modules'))) {
      await touch(dir);
      return dir;
    }
    await this.#install(key, dir, request);
    await this.#evict(key);
    return dir;
  }

  async #install(key: string, dir: string, request: InstallRequest): Promise<void> {
    const tokens = new Map<string, string>();
    for (const registry of registriesOf(request.mapping)) {
      const token = request.access(registry).token;
      if (token) tokens.set(registry, token);
    }
    const context: FailureContext = {
      lockfile: request.project.files.lockfile,
      mapping: request.mapping,
      withToken: new Set(tokens.keys()),
      secrets: [...tokens.values()],
      tokensFrom: this.#tokensFrom,
    };
    const tmpRoot = join(this.#cacheDir, '_tmp');
    await mkdir(tmpRoot, { recursive: true });
    const work = await mkdtemp(join(tmpRoot, `${key.slice(0, 16)}-`));
    try {
      // Only these two files: nothing else of the repository takes part in the install.
      await writeFile(join(work, 'package.json'), request.packageJson);
      await writeFile(join(work, 'package-lock.json'), request.lockfile);
      try {
        await installLockfile({
          dir: work,
          cache: join(this.#cacheDir, '_cacache'),
          mapping: request.mapping,
          tokens,
          timeoutMs: this.#timeoutMs,
          retries: this.#retries,
          files: request.project.files,
          fix: lockfileFix(request.folder),
        });
      } catch (err) {
        throw err instanceof ArboristFailure
          ? classifyInstallError(err.error, err.failed, context)
          : classifyInstallError(err, undefined, context);
      }
      // A lockfile whose every package was skipped (optional, another platform) leaves no node_modules.
      await mkdir(join(work, 'node_modules'), { recursive: true });
      await this.#moveIntoPlace(work, dir);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Renames the finished install to its key: readers see all of it or nothing. */
  async #moveIntoPlace(work: string, dir: string): Promise<void> {
    try {
      await rename(work, dir);
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Another process finished the same key first: its install is the same.
      if ((code === 'EEXIST' || code === 'ENOTEMPTY') && (await exists(join(dir, 'node_modules')))) return;
      if (code === 'EEXIST' || code === 'ENOTEMPTY') {
        // A folder without node_modules is what a crash mid-delete leaves: replace it.
        await rm(dir, { recursive: true, force: true });
        await rename(work, dir);
        return;
      }
      throw new DependencyInstallError('Failed', `moving the install into ${dir} failed (${code ?? 'unknown'})`);
    }
  }

  /** Deletes the least recently used installs past maxEntries, and abandoned work folders. */
  async #evict(justInstalled: string): Promise<void> {
    const names = await readdir(this.#cacheDir).catch(() => [] as string[]);
    const entries = await Promise.all(
      names
        .filter((name) => KEY.test(name) && name !== justInstalled && !this.#inFlight.has(name))
        .map(async (name) => {
          const used = (await stat(join(this.#cacheDir, name)).catch(() => undefined))?.mtimeMs;
          return { name, used };
        }),
    );
    const known = entries.filter((e): e is { name: string; used: number } => e.used !== undefined);
    known.sort((a, b) => b.used - a.used);
    for (const old of known.slice(this.#maxEntries - 1)) {
      await rm(join(this.#cacheDir, old.name), { recursive: true, force: true });
    }
    const tmpRoot = join(this.#cacheDir, '_tmp');
    for (const name of await readdir(tmpRoot).catch(() => [] as string[])) {
      const when = (await stat(join(tmpRoot, name)).catch(() => undefined))?.mtimeMs;
      if (when !== undefined && Date.now() - when > ABANDONED_MS) {
        await rm(join(tmpRoot, name), { recursive: true, force: true });
      }
    }
  }
}

interface InstallRequest {
  readonly folder: string;
  readonly project: LockedProject;
  readonly packageJson: string;
  readonly lockfile: string;
  readonly mapping: RegistryMapping;
  readonly access: (registryUrl: string) => RegistryAccess;
}

async function readText(tree: SourceTree, path: string): Promise<string | undefined> {
  const bytes = await tree.readFile(path);
  if (bytes === undefined) return undefined;
  if (bytes.length > MAX_FILE_BYTES) {
    throw new DependencyInstallError(
      'Invalid',
      `${path} is ${bytes.length} bytes, over the limit of ${MAX_FILE_BYTES} for a file Keelson installs from`,
    );
  }
  return new TextDecoder().decode(bytes);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Marks an install as just used: eviction goes by the folder's modification time. */
async function touch(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now).catch(() => undefined);
}

/** The lockfile of another package manager beside package.json, for the message when npm's is missing. */
async function otherLockfileIn(tree: SourceTree, folder: string): Promise<string | undefined> {
  const names = new Set(((await tree.readDir(folder)) ?? []).map((entry) => entry.name));
  return ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock'].find((name) => names.has(name));
}
