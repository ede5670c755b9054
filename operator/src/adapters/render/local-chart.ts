// A chart folder of the deploy repository, for helm: read from the tree first (its files and
// every file:// dependency, whose digest identifies the render), then — only when that render
// is not cached — written out with its dependencies in place: what `charts/` vendors is used
// as it is; a `file://` dependency of the repository is copied in; one of a chart repository
// or OCI registry is fetched by the chart store at the version Chart.lock (or an exact
// version in Chart.yaml) pins.
import { createHash } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { SourceTree } from '../../core/source.ts';
import { resolveRepositoryPath } from '../../core/render/repository-path.ts';
import { ChartFetchError, type ChartAccess, type ChartStore, type RemoteChart } from './chart-store.ts';
import { digestOfFiles, readTreeFolder, writeFiles } from './tree-export.ts';

interface Dependency {
  name?: string;
  version?: string;
  repository?: string;
}

export interface LocalChart {
  /** The chart folder's tree path. */
  readonly path: string;
  /** A hash over the folder and every file:// dependency. */
  readonly digest: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Dependencies that `charts/` does not vendor: folders of the tree, or remote charts. */
  readonly missing: readonly (
    { name: string; files: ReadonlyMap<string, Uint8Array> } | { name: string; remote: RemoteChart }
  )[];
}

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Reads the chart folder `path` of the tree and its dependencies' identities; writes nothing. */
export async function readLocalChart(tree: SourceTree, path: string): Promise<LocalChart> {
  if ((await tree.readFile(`${path}/Chart.yaml`)) === undefined) {
    throw new ChartFetchError(
      `"${path}" is not a chart folder of the repository (no Chart.yaml there); ` +
        'for a chart of a chart repository, set repo: to its URL',
    );
  }
  const files = await readTreeFolder(tree, path);
  const digest = createHash('sha256').update(digestOfFiles(files));
  const chart = parseYaml(files.get('Chart.yaml'), `${path}/Chart.yaml`) as { dependencies?: Dependency[] } | null;
  const lock = parseYaml(files.get('Chart.lock'), `${path}/Chart.lock`) as { dependencies?: Dependency[] } | null;
  const missing: LocalChart['missing'][number][] = [];
  for (const dep of chart?.dependencies ?? []) {
    const name = dep.name ?? '';
    if ([...files.keys()].some((f) => f.startsWith(`charts/${name}`))) continue;
    const repository = dep.repository ?? '';
    if (repository.startsWith('file://')) {
      const depPath = resolveRepositoryPath(repository.slice('file://'.length), path);
      const depFiles = await readTreeFolder(tree, depPath).catch(() => {
        throw new ChartFetchError(`dependency "${name}" of chart "${path}": no folder "${depPath}" in the repository`);
      });
      digest.update(digestOfFiles(depFiles));
      missing.push({ name, files: depFiles });
      continue;
    }
    missing.push({
      name,
      remote: remoteDependency(
        path,
        name,
        repository,
        lock?.dependencies?.find((d) => d.name === name)?.version ?? dep.version,
      ),
    });
  }
  return { path, digest: `sha256:${digest.digest('hex')}`, files, missing };
}

/** Writes the chart to `dir`, its missing dependencies fetched or copied into `charts/`. */
export async function writeLocalChart(
  chart: LocalChart,
  dir: string,
  store: ChartStore,
  accessFor: (url: string) => ChartAccess,
): Promise<void> {
  await writeFiles(chart.files, dir);
  if (chart.missing.length === 0) return;
  const target = join(dir, 'charts');
  await mkdir(target, { recursive: true });
  for (const dep of chart.missing) {
    if ('files' in dep) {
      await writeFiles(dep.files, join(target, dep.name));
      continue;
    }
    const fetched = await store.fetch(
      dep.remote,
      accessFor(dep.remote.type === 'oci' ? dep.remote.reference : dep.remote.repository),
    );
    await copyFile(fetched.file, join(target, `${dep.name}-${dep.remote.version}.tgz`));
  }
}

function remoteDependency(chart: string, name: string, repository: string, version = ''): RemoteChart {
  if (!EXACT_VERSION.test(version)) {
    throw new ChartFetchError(
      `dependency "${name}" of chart "${chart}" has the range "${version}": commit Chart.lock or pin a version`,
    );
  }
  const base = repository.replace(/\/+$/, '');
  if (repository.startsWith('oci://')) return { type: 'oci', reference: `${base}/${name}`, version };
  if (!/^https?:\/\//.test(base)) {
    throw new ChartFetchError(
      `dependency "${name}" of chart "${chart}": repository "${repository}" is not a URL ` +
        '(vendor it in charts/, or name its http(s):// or oci:// URL)',
    );
  }
  return { type: 'repository', repository: base, name, version };
}

function parseYaml(bytes: Uint8Array | undefined, file: string): unknown {
  if (bytes === undefined) return null;
  try {
    return parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new ChartFetchError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}
