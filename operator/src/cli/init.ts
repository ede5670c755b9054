// `keelson init <dir> [--kit <spec>] [--no-lockfile]`: writes a new deploy repository into an
// empty or new directory — package.json, package-lock.json, tsconfig.json, main.ts with one
// environment `dev` running one app, images.json, .gitignore and a README
// (init-template/deploy-repo.ts). The kit dependency is the version this Keelson ships unless
// `--kit` names another npm spec, such as the package `make kit` packs
// (`--kit file:.keelson/kit/keelson-cdk8s-app-0.1.0.tgz`). The lockfile is resolved as `npm
// install --package-lock-only --ignore-scripts` would, against the registries and tokens of the
// user's npm configuration; when that fails nothing is left behind.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArboristFailure, resolveLockfile } from '../adapters/npm/arborist.ts';
import { classifyInstallError } from '../adapters/npm/install-error.ts';
import { registriesOf } from '../core/npm/npmrc.ts';
import { tokenFor } from '../core/npm/user-tokens.ts';
import { parseCommandArgs, type Command, type CommandIO } from './command.ts';
import { deployRepoFiles } from './init-template/deploy-repo.ts';
import { readUserNpmConfig } from './npm-config.ts';

/** The libraries the kit builds on, pinned to the versions Keelson's synthesis provides. */
const LIBRARIES = ['cdk8s', 'cdk8s-plus-27', 'constructs'] as const;

export const initCommand: Command = {
  name: 'init',
  summary: 'Write a new deploy repository (one environment, one app) into an empty directory',
  usage: 'keelson init <dir> [--kit <npm spec>] [--no-lockfile]   (a file: path is relative to the current directory)',
  async run(args, io) {
    const options = { kit: { type: 'string' }, 'no-lockfile': { type: 'boolean' } } as const;
    const { values, positionals } = parseCommandArgs(args, options, { min: 1, max: 1 });
    const shown = positionals[0]!;
    const dir = resolve(io.cwd, shown);
    const existed = await checkEmpty(dir, shown);
    const release = await kitRelease();
    const kit = values.kit === undefined ? release.version : kitSpec(values.kit, io.cwd, dir);
    const files = deployRepoFiles({ name: packageName(dir), kit, libraries: release.libraries });

    const made = await mkdir(dir, { recursive: true });
    const written = Object.keys(files);
    try {
      await writeFile(join(dir, 'package.json'), files['package.json']!, { flag: 'wx' });
      if (!values['no-lockfile']) {
        await writeLockfile(dir, io, values.kit === undefined);
        written.splice(1, 0, 'package-lock.json');
      }
      for (const [name, content] of Object.entries(files)) {
        if (name !== 'package.json') await writeFile(join(dir, name), content, { flag: 'wx' });
      }
    } catch (err) {
      // Nothing half-way: the directory as it was found, or gone when init made it.
      if (existed) await Promise.all(written.map((name) => rm(join(dir, name), { force: true })));
      else if (made !== undefined) await rm(made, { recursive: true, force: true });
      throw err;
    }
    io.stdout(
      [
        `wrote a deploy repository to ${shown}: ${written.join(', ')}`,
        '',
        'next:',
        `  cd ${shown} && npm ${values['no-lockfile'] ? 'install' : 'ci'}`,
        '  npm run typecheck',
        '  keelson synth . --env dev',
        '',
      ].join('\n'),
    );
    return 0;
  },
};

/**
 * Resolves `dir/package-lock.json` from `dir/package.json` with the user's npm configuration.
 * `registryKit`: the kit is named by a version, which a registry must serve.
 */
async function writeLockfile(dir: string, io: CommandIO, registryKit: boolean): Promise<void> {
  const { mapping, tokens } = await readUserNpmConfig(io);
  const used = new Map<string, string>();
  for (const registry of registriesOf(mapping)) {
    const token = tokenFor(tokens, registry);
    if (token !== undefined) used.set(registry, token);
  }
  const cache = join(io.env.KEELSON_CACHE ?? join(homedir(), '.cache', 'keelson'), 'npm', '_cacache');
  try {
    await resolveLockfile({ dir, cache, mapping, tokens: used, timeoutMs: 30_000, retries: 2 });
  } catch (err) {
    const context = {
      lockfile: 'package.json',
      mapping,
      withToken: new Set(used.keys()),
      secrets: [...used.values()],
      tokensFrom: 'user-config',
    } as const;
    const failure =
      err instanceof ArboristFailure
        ? classifyInstallError(err.error, err.failed, context)
        : classifyInstallError(err, undefined, context);
    const kitHint =
      registryKit && failure.reason === 'NotFound'
        ? '; if that is the kit, which this Keelson does not publish, pack it with `make kit` and pass ' +
          '--kit file:<the .tgz>'
        : '';
    throw new Error(
      `cannot resolve package-lock.json: ${failure.message}${kitHint}; nothing was written ` +
        '(--no-lockfile writes the repository without a lockfile)',
    );
  }
}

/**
 * Refuses a path that is a file, or a directory with anything in it but a bare `.git`. True
 * when the directory exists.
 */
async function checkEmpty(dir: string, shown: string): Promise<boolean> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!info) return false;
  if (!info.isDirectory()) throw new Error(`"${shown}" is not a directory`);
  const entries = (await readdir(dir)).filter((name) => name !== '.git').sort();
  if (entries.length > 0) {
    const listed = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
    throw new Error(
      `"${shown}" is not empty (${listed}): keelson init writes a new deploy repository into an empty ` +
        'or new directory',
    );
  }
  return true;
}

interface KitManifest {
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

interface KitRelease {
  readonly version: string;
  readonly libraries: Readonly<Record<string, string>>;
}

/** The kit this Keelson ships (cdk8s-app/package.json): its version and its libraries' versions. */
async function kitRelease(): Promise<KitRelease> {
  const file = join(dirname(fileURLToPath(import.meta.resolve('@keelson/cdk8s-app'))), '..', 'package.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as KitManifest;
  const libraries: Record<string, string> = {};
  for (const name of LIBRARIES) {
    const version = manifest.dependencies?.[name];
    if (!version) throw new Error(`${file} lists no version of ${name}`);
    libraries[name] = version;
  }
  return { version: manifest.version, libraries };
}

/** `--kit`, with a relative file: path made relative to the new repository, as npm reads it. */
function kitSpec(spec: string, cwd: string, dir: string): string {
  if (!spec.startsWith('file:')) return spec;
  const path = spec.slice('file:'.length);
  return isAbsolute(path) ? spec : `file:${relative(dir, resolve(cwd, path))}`;
}

/** The directory's name as a package name and DNS label: `Shop Deploy` → `shop-deploy`. */
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return name.replace(/-+$/, '') || 'deploy';
}
