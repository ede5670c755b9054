// A chart folder of the deploy repository, written out for helm with its dependencies in
// place: what `charts/` vendors is used as it is; a `file://` dependency of the repository is
// copied in; one of a chart repository or OCI registry is fetched by the chart store at the
// version Chart.lock (or an exact version in Chart.yaml) pins. The digest covers the folder
// and every file:// dependency, so the render cache sees any change.
import { createHash } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { SourceTree } from '../../core/source.ts';
import { resolveRepositoryPath } from '../../core/render/repository-path.ts';
import { ChartFetchError, type ChartStore } from './chart-store.ts';
import { digestOfFiles, readTreeFolder, writeFiles } from './tree-export.ts';
import type { RenderContext } from './renderer.ts';

interface Dependency { name?: string; version?: string; repository?: string }

export interface LocalChart {
  readonly dir: string;
  readonly digest: string;
}

export interface LocalChartOptions {
  readonly store: ChartStore;
  readonly context: RenderContext;
}

/** Writes the chart folder `path` of the tree to `dir`, dependencies included. */
export async function prepareLocalChart(tree: SourceTree, path: string, dir: string, options: LocalChartOptions): Promise<LocalChart> {
  if ((await tree.readFile(`${path}/Chart.yaml`)) === undefined) {
    throw new ChartFetchError(`"${path}" is not a chart folder of the repository (no Chart.yaml there); ` +
      'for a chart of a chart repository, set repo: to its URL');
  }
  const files = await readTreeFolder(tree, path);
  const digest = createHash('sha256').update(digestOfFiles(files));
  await writeFiles(files, dir);
  const chart = parseYaml(files.get('Chart.yaml'), `${path}/Chart.yaml`) as { dependencies?: Dependency[] } | null;
  const lock = parseYaml(files.get('Chart.lock'), `${path}/Chart.lock`) as { dependencies?: Dependency[] } | null;
  for (const dep of chart?.dependencies ?? []) {
    const name = dep.name ?? '';
    if ([...files.keys()].some((f) => f.startsWith(`charts/${name}`))) continue;
    const repository = dep.repository ?? '';
    const target = join(dir, 'charts');
    await mkdir(target, { recursive: true });
    if (repository.startsWith('file://')) {
      const depPath = resolveRepositoryPath(repository.slice('file://'.length), path);
      const depFiles = await readTreeFolder(tree, depPath).catch(() => {
        throw new ChartFetchError(`dependency "${name}" of chart "${path}": no folder "${depPath}" in the repository`);
      });
      digest.update(digestOfFiles(depFiles));
      await writeFiles(depFiles, join(target, name));
      continue;
    }
    const version = lock?.dependencies?.find((d) => d.name === name)?.version ?? dep.version ?? '';
    if (!/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
      throw new ChartFetchError(`dependency "${name}" of chart "${path}" has the range "${version}": commit Chart.lock or pin a version`);
    }
    const remote = repository.startsWith('oci://')
      ? { type: 'oci' as const, reference: `${repository.replace(/\/+$/, '')}/${name}`, version }
      : { type: 'repository' as const, repository: repository.replace(/\/+$/, ''), name, version };
    if (remote.type === 'repository' && !/^https?:\/\//.test(remote.repository)) {
      throw new ChartFetchError(`dependency "${name}" of chart "${path}": repository "${repository}" is not a URL ` +
        '(vendor it in charts/, or name its http(s):// or oci:// URL)');
    }
    const fetched = await options.store.fetch(remote, options.context.accessFor(repository));
    await copyFile(fetched.file, join(target, `${name}-${version}.tgz`));
  }
  return { dir, digest: `sha256:${digest.digest('hex')}` };
}

function parseYaml(bytes: Uint8Array | undefined, file: string): unknown {
  if (bytes === undefined) return null;
  try {
    return parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new ChartFetchError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}
