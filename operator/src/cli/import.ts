// `keelson import argocd <application.yaml>... [--out <dir>]`: converts Argo CD Applications
// (and checks them against the AppProjects among the inputs) into Keelson resources and
// deploy code. With --out: <dir>/keelson/<app>.yaml, <dir>/deploy/<env>.ts and main.ts, and
// the report on stdout; without: the resources as YAML on stdout, the report on stderr.
// Exit 0 even when fields were not carried over (the report lists them); 1 on invalid input.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KubeObject } from '../core/manifest.ts';
import { formatImportReport, importArgoCd, type InputFile, type PathKindLookup } from '../core/import/index.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';
import { toYamlDocuments } from './manifest-yaml.ts';

const OPTIONS = {
  out: { type: 'string' },
  'deploy-path': { type: 'string' },
  'deploy-repo': { type: 'string' },
  'deploy-ref': { type: 'string' },
  checkout: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  force: { type: 'boolean' },
} as const;

export const importCommand: Command = {
  name: 'import',
  summary: 'Convert Argo CD Applications to Keelson resources and deploy code',
  usage:
    'keelson import argocd <application.yaml>... [--out <dir>] [--force] [--deploy-path <dir>] ' +
    '[--deploy-repo <url> [--deploy-ref <ref>]] [--checkout <dir>] [-n <namespace>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, { min: 2, max: Number.MAX_SAFE_INTEGER });
    const [from, ...files] = positionals;
    if (from !== 'argocd') throw new UsageError(`cannot import from "${from}": keelson imports from argocd`);
    const deployPath = (values['deploy-path'] ?? 'deploy').replace(/^(\.\/)+|\/+$/g, '') || '.';
    if (deployPath.startsWith('/') || deployPath.split('/').includes('..')) {
      throw new UsageError('--deploy-path is a folder of the repository, relative to its root');
    }
    if (values['deploy-ref'] !== undefined && values['deploy-repo'] === undefined) {
      throw new UsageError('--deploy-ref needs --deploy-repo');
    }
    const inputs = await Promise.all(files.map((file) => readInput(file, io.cwd)));
    const result = importArgoCd(inputs, {
      deployPath,
      deployRepo: values['deploy-repo'] ? { url: values['deploy-repo'], ref: values['deploy-ref'] } : undefined,
      namespace: values.namespace || undefined,
      pathKind: values.checkout ? checkoutLookup(resolve(io.cwd, values.checkout)) : undefined,
    });
    if (!values.out) {
      io.stdout(toYamlDocuments(uniqueObjects(result.applications.flatMap((a) => a.resources))));
      io.stderr(formatImportReport(result));
      return 0;
    }
    const out = resolve(io.cwd, values.out);
    const writes = [
      ...result.applications.map((a) => ({
        path: join(out, 'keelson', `${a.name}.yaml`),
        text: toYamlDocuments(a.resources),
      })),
      ...result.deployFiles.map((f) => ({ path: join(out, 'deploy', f.path), text: f.text })),
    ];
    const existing = writes.filter((w) => existsSync(w.path)).map((w) => w.path);
    if (existing.length > 0 && !values.force) {
      io.stderr(`keelson import: not overwriting ${existing.join(', ')} (--force overwrites)\n`);
      return 1;
    }
    await mkdir(join(out, 'keelson'), { recursive: true });
    await mkdir(join(out, 'deploy'), { recursive: true });
    for (const w of writes) await writeFile(w.path, w.text);
    io.stdout(formatImportReport(result, { out: values.out.replace(/\/+$/, '') }));
    return 0;
  },
};

async function readInput(file: string, cwd: string): Promise<InputFile> {
  try {
    return { file, text: await readFile(resolve(cwd, file), 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new Error(`cannot read ${file}: ${why}`, { cause: err });
  }
}

const KUSTOMIZATIONS = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** What a path of a local clone holds, the way Argo CD tells: Chart.yaml, a kustomization, else plain YAML. */
function checkoutLookup(root: string): PathKindLookup {
  return (_repoURL, path) => {
    const dir = join(root, path);
    if (existsSync(join(dir, 'Chart.yaml'))) return 'helm';
    if (KUSTOMIZATIONS.some((f) => existsSync(join(dir, f)))) return 'kustomize';
    return existsSync(dir) ? 'directory' : undefined;
  };
}

/** Applications of one repository share its GitRepository: print it once. */
function uniqueObjects(objects: readonly KubeObject[]): KubeObject[] {
  const seen = new Set<string>();
  return objects.filter((o) => {
    const key = `${o.kind}/${o.metadata.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
