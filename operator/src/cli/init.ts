// `keelson init <dir> [--kit <spec>]`: writes a new deploy repository into an empty or new
// directory — package.json, tsconfig.json, main.ts with one environment `dev` running one app,
// images.json, .gitignore and a README (init-template/deploy-repo.ts). The kit dependency is
// the version this Keelson ships unless `--kit` names another npm spec, such as the package
// `make kit` packs (`--kit file:.keelson/kit/keelson-cdk8s-app-0.1.0.tgz`).
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs, type Command } from './command.ts';
import { deployRepoFiles } from './init-template/deploy-repo.ts';

/** The libraries the kit builds on, pinned to the versions Keelson's synthesis provides. */
const LIBRARIES = ['cdk8s', 'cdk8s-plus-27', 'constructs'] as const;

export const initCommand: Command = {
  name: 'init',
  summary: 'Write a new deploy repository (one environment, one app) into an empty directory',
  usage: 'keelson init <dir> [--kit <npm spec>]   (a file: path is relative to the current directory)',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { kit: { type: 'string' } }, { min: 1, max: 1 });
    const shown = positionals[0]!;
    const dir = resolve(io.cwd, shown);
    await checkEmpty(dir, shown);
    const release = await kitRelease();
    const kit = values.kit === undefined ? release.version : kitSpec(values.kit, io.cwd, dir);
    const files = deployRepoFiles({ name: packageName(dir), kit, libraries: release.libraries });

    await mkdir(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content, { flag: 'wx' });
    io.stdout([
      `wrote a deploy repository to ${shown}: ${Object.keys(files).join(', ')}`,
      '',
      'next:',
      `  cd ${shown} && npm install`,
      '  npm run typecheck',
      '  keelson synth . --env dev',
      '',
    ].join('\n'));
    return 0;
  },
};

/** Refuses a path that is a file, or a directory with anything in it but a bare `.git`. */
async function checkEmpty(dir: string, shown: string): Promise<void> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!info) return;
  if (!info.isDirectory()) throw new Error(`"${shown}" is not a directory`);
  const entries = (await readdir(dir)).filter((name) => name !== '.git').sort();
  if (entries.length > 0) {
    const listed = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
    throw new Error(`"${shown}" is not empty (${listed}): keelson init writes a new deploy repository into an empty `
      + 'or new directory');
  }
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
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return name.replace(/-+$/, '') || 'deploy';
}
