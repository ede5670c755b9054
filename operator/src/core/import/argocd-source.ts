// One source of an Application as what the deploy code renders: plain YAML of a folder
// (Include), a Helm chart from a chart repository, an OCI registry or the Git repository
// (Helm), or a kustomization (Kustomization). What Keelson cannot render is listed.
import type { Fields, FieldReader } from './field-reader.ts';
import { helmRender, planChartRepository } from './helm-source.ts';
import type { ImportNotes } from './import-notes.ts';

export interface IncludeRender {
  readonly kind: 'include';
  readonly id: string;
  /** A folder of the repository, relative to the deploy code's folder. */
  readonly url: string;
}

export interface HelmRender {
  readonly kind: 'helm';
  readonly id: string;
  readonly chart: string;
  readonly repo?: string;
  readonly version?: string;
  readonly releaseName: string;
  readonly namespace?: string;
  readonly values?: Fields;
  readonly helmFlags: readonly string[];
}

export interface KustomizationRender {
  readonly kind: 'kustomization';
  readonly id: string;
  /** Relative to the deploy code's folder. */
  readonly path: string;
}

export type Render = IncludeRender | HelmRender | KustomizationRender;

/** What a Git source's path holds, when its manifest does not say. */
export type SourceKind = 'directory' | 'helm' | 'kustomize';
/** Looks at a checkout of the repository, when the caller has one. */
export type PathKindLookup = (repoURL: string, path: string) => SourceKind | undefined;

export interface SourcePlan {
  /** Absent when nothing can be rendered (a plugin). */
  readonly render?: Render;
  /** The Git repository and revision the source reads; absent for chart repositories. */
  readonly git?: { readonly repoURL: string; readonly targetRevision?: string; readonly field: string };
  /** One line: what the source is. */
  readonly summary: string;
}

export interface SourceContext {
  readonly appName: string;
  /** The destination namespace, which Argo CD gives Helm as the release namespace. */
  readonly namespace?: string;
  /** The deploy code's folder in the repository (its paths are relative to it): `deploy`. */
  readonly deployPath: string;
  /** The deploy code file, for hints: `deploy/guestbook.ts`. */
  readonly codeFile: string;
  /** The revision Argo CD last synced (status.sync.revision): pins a chart version range. */
  readonly syncedRevision?: string;
  readonly notes: ImportNotes;
  readonly pathKind?: PathKindLookup;
}

const TYPE_FIELDS = ['helm', 'kustomize', 'directory', 'plugin'] as const;
const KINDS = { directory: 'plain YAML', helm: 'a Helm chart', kustomize: 'a kustomization' } as const;

export function planSource(source: FieldReader, ctx: SourceContext): SourcePlan {
  const repoURL = source.string('repoURL')!;
  const targetRevision = source.string('targetRevision');
  const chart = source.string('chart');
  source.ignore('name');
  const types = TYPE_FIELDS.filter((t) => source.has(t));
  if (types.length > 1) throw source.error(types[1]!, `a source takes one of ${types.join(' and ')}, as in Argo CD`);
  if (chart !== undefined) return planChartRepository(source, { repoURL, chart, targetRevision }, ctx);
  const git = {
    repoURL,
    ...(targetRevision === undefined ? {} : { targetRevision }),
    field: source.field('targetRevision'),
  };
  const path = repositoryPath(source);
  const fromCode = fromDeployFolder(path, ctx.deployPath);
  if (repoURL.startsWith('oci://')) {
    ctx.notes.skip(source.path, `${repoURL}: an OCI artifact of manifests; Keelson reads manifests from Git only`);
    return { summary: `the OCI artifact ${repoURL}` };
  }
  const detected = types[0] ?? ctx.pathKind?.(repoURL, path);
  if (types.length === 0) {
    ctx.notes.convert(
      source.field('path'),
      detected === undefined
        ? `"${path}" taken for a folder of plain YAML (Argo CD decides by its files; pass --checkout to look)`
        : `"${path}" holds ${KINDS[detected as SourceKind]}`,
    );
  }
  const kind = detected ?? 'directory';
  if (kind === 'plugin') {
    const name = (source.raw('plugin') as Fields).name;
    ctx.notes.skip(
      source.field('plugin'),
      `config management plugin${typeof name === 'string' ? ` "${name}"` : ''}: ` +
        `Keelson runs no plugins; write what it generates as cdk8s code in ${ctx.codeFile}`,
    );
    return { git, summary: `the plugin source at ${path} (not rendered)` };
  }
  if (kind === 'helm') {
    const render = helmRender(source.object('helm'), { chart: fromCode }, ctx);
    return { git, render, summary: `the Helm chart at ${path} of ${repoURL}` };
  }
  if (kind === 'kustomize') {
    const kustomize = source.object('kustomize');
    for (const key of kustomize?.keys() ?? []) {
      kustomize!.ignore(key);
      ctx.notes.skip(
        kustomize!.field(key),
        `Keelson builds the kustomization as it is: put ${key} in ` +
          `${path === '.' ? '' : `${path}/`}kustomization.yaml`,
      );
    }
    const render: Render = { kind: 'kustomization', id: 'kustomize', path: fromCode };
    return { git, render, summary: `the kustomization at ${path} of ${repoURL}` };
  }
  planDirectory(source.object('directory'), ctx.notes);
  const render: Render = { kind: 'include', id: 'manifests', url: fromCode };
  return { git, render, summary: `the plain YAML at ${path} of ${repoURL}` };
}

/** A path of the repository (from its root) as the deploy code names it: from its folder. */
export function fromDeployFolder(path: string, deployPath: string): string {
  const from = deployPath.split('/').filter((p) => p !== '' && p !== '.');
  const to = path.split('/').filter((p) => p !== '' && p !== '.');
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common++;
  return [...from.slice(common).map(() => '..'), ...to.slice(common)].join('/') || '.';
}

/** source.path relative to the repository root, '.' for the root. */
function repositoryPath(source: FieldReader): string {
  const raw = source.string('path') ?? '';
  const path =
    raw
      .trim()
      .replace(/^(\.\/)+/, '')
      .replace(/\/+$/, '') || '.';
  if (path.startsWith('/') || path.split('/').includes('..')) {
    throw source.error('path', `"${raw}" leaves the repository`);
  }
  return path;
}

function planDirectory(directory: FieldReader | undefined, notes: ImportNotes): void {
  if (!directory) return;
  if (directory.boolean('recurse')) {
    notes.skip(
      directory.field('recurse'),
      'Include reads the *.yaml, *.yml and *.json files of one folder, ' +
        'not its subfolders: add one Include per subfolder',
    );
  }
  for (const key of ['include', 'exclude'] as const) {
    const glob = directory.string(key);
    if (glob) {
      notes.skip(
        directory.field(key),
        `${glob}: Include reads every manifest of the folder: ` + 'move the wanted ones to a folder of their own',
      );
    }
  }
  const jsonnet = directory.raw('jsonnet');
  if (jsonnet !== undefined && JSON.stringify(jsonnet) !== '{}') {
    notes.skip(directory.field('jsonnet'), 'Keelson renders no Jsonnet: write it as cdk8s code');
  }
}
