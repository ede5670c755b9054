// The Helm part of an Application's source as cdk8s's Helm construct: a chart of a chart
// repository or an OCI registry at one exact version, or a chart folder of the Git
// repository; values merged as Argo CD merges them; the flags Keelson's Helm takes.
import type { Fields, FieldReader } from './field-reader.ts';
import type { HelmRender, SourceContext, SourcePlan } from './argocd-source.ts';
import { mergeValues, parseValuesYaml, setParameter } from './helm-values.ts';

export interface ChartSource {
  readonly repoURL: string;
  readonly chart: string;
  readonly targetRevision?: string;
}

const PRIVATE_HINT = "private? name it with a secretRef in the Environment's spec.chartRepositories";

/** A source with `chart`: repoURL is a chart repository, or an OCI registry (oci://, or no scheme at all). */
export function planChartRepository(source: FieldReader, s: ChartSource, ctx: SourceContext): SourcePlan {
  source.ignore('path');
  const oci = s.repoURL.startsWith('oci://') || !/^[a-z][a-z0-9+.-]*:\/\//i.test(s.repoURL);
  const registry = s.repoURL.replace(/^oci:\/\//, '').replace(/\/+$/, '');
  const chart = oci ? `oci://${registry}/${s.chart}` : s.chart;
  const schemeless =
    oci && !s.repoURL.startsWith('oci://') ? ' (Argo CD reads a repoURL without a scheme as an OCI registry)' : '';
  const to = oci ? `chart ${chart} of the Helm construct${schemeless}` : 'repo of the Helm construct';
  ctx.notes.convert(source.field('repoURL'), `${to}; ${PRIVATE_HINT}`);
  const version = chartVersion(source, s.targetRevision, ctx);
  const where = { chart, repo: oci ? undefined : s.repoURL, version };
  const render = helmRender(source.object('helm'), where, ctx);
  const from = oci ? `oci://${registry}` : s.repoURL;
  return { render, summary: `the Helm chart ${s.chart}${version ? ` ${version}` : ''} from ${from}` };
}

const EXACT_VERSION = /^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Keelson renders one exact chart version: a range is pinned to what Argo CD last synced, or listed. */
function chartVersion(source: FieldReader, targetRevision: string | undefined, ctx: SourceContext): string | undefined {
  const field = source.field('targetRevision');
  const wanted = targetRevision?.trim() || undefined;
  if (wanted !== undefined && EXACT_VERSION.test(wanted)) {
    ctx.notes.convert(field, `the chart version ${wanted}`);
    return wanted;
  }
  const synced = ctx.syncedRevision;
  if (synced !== undefined && EXACT_VERSION.test(synced)) {
    ctx.notes.convert(
      field,
      `${wanted ?? 'no version'}: pinned to ${synced}, ` + 'the version Argo CD last synced (status.sync.revision)',
    );
    return synced;
  }
  ctx.notes.skip(
    field,
    `${wanted ?? 'no version'}: Keelson renders one exact chart version: ` + `set version in ${ctx.codeFile}`,
  );
  return wanted;
}

type ChartLocation = Pick<HelmRender, 'chart' | 'repo' | 'version'>;

/** The Helm construct of a chart, from the source's `helm` block (which may be absent). */
export function helmRender(helm: FieldReader | undefined, chart: ChartLocation, ctx: SourceContext): HelmRender {
  const releaseName = helm?.string('releaseName') ?? ctx.appName;
  const namespace = helm?.string('namespace') ?? ctx.namespace;
  const values = helm ? helmValues(helm, ctx) : {};
  return {
    kind: 'helm',
    id: helmId(chart.chart),
    ...chart,
    releaseName,
    namespace: namespace || undefined,
    ...(Object.keys(values).length > 0 ? { values } : {}),
    helmFlags: helm ? helmFlags(helm, ctx) : ['--include-crds'],
  };
}

/** values (YAML text), then valuesObject over it, then each parameter, as Argo CD layers them. */
function helmValues(helm: FieldReader, { notes }: SourceContext): Fields {
  let values: Fields = {};
  const text = helm.raw('values');
  if (typeof text === 'string') {
    try {
      values = parseValuesYaml(text);
    } catch (err) {
      throw helm.error('values', `not YAML values: ${(err as Error).message.split('\n')[0]}`);
    }
    notes.convert(helm.field('values'), 'values of the Helm construct');
  } else if (text !== undefined) {
    throw helm.error('values', 'must be a string of YAML (or use valuesObject)');
  }
  const object = helm.raw('valuesObject');
  if (object !== undefined) {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      throw helm.error('valuesObject', 'must be a map');
    }
    values = mergeValues(values, object as Fields);
    notes.convert(helm.field('valuesObject'), 'values of the Helm construct');
  }
  for (const p of helm.objects('parameters') ?? []) {
    const name = p.string('name');
    if (!name) throw p.error('name', 'is missing');
    const forceString = p.boolean('forceString');
    try {
      values = setParameter(values, { name, value: p.string('value') ?? '', forceString });
    } catch (err) {
      throw p.error('name', (err as Error).message);
    }
    notes.convert(p.path, `values.${name}`);
  }
  return values;
}

function helmFlags(helm: FieldReader, { notes, codeFile }: SourceContext): string[] {
  const flags = [helm.boolean('skipCrds') ? '--skip-crds' : '--include-crds'];
  if (helm.boolean('skipTests')) flags.push('--skip-tests');
  if (helm.boolean('skipSchemaValidation')) flags.push('--skip-schema-validation');
  const kubeVersion = helm.string('kubeVersion');
  if (kubeVersion) flags.push('--kube-version', kubeVersion);
  for (const v of helm.strings('apiVersions') ?? []) flags.push('--api-versions', v);
  if (flags.join(' ') !== '--include-crds') notes.convert(helm.path, `helmFlags ${flags.join(' ')}`);
  const files = helm.strings('valueFiles');
  helm.ignore('ignoreMissingValueFiles');
  if (files?.length) {
    notes.skip(
      helm.field('valueFiles'),
      `${files.join(', ')}: Keelson's Helm reads no files of the repository: ` +
        `copy their values into values in ${codeFile}`,
    );
  }
  for (const p of helm.objects('fileParameters') ?? []) {
    notes.skip(
      p.path,
      `${p.string('name')} from ${p.string('path')}: a file of the repository; ` + 'set the value in values',
    );
  }
  if (helm.boolean('passCredentials')) {
    notes.skip(helm.field('passCredentials'), 'no equivalent: credentials stay with their repository');
  }
  const version = helm.string('version');
  if (version !== undefined && version !== 'v3') {
    notes.skip(helm.field('version'), `${version}: Keelson renders with Helm 3`);
  }
  return flags;
}

/** The construct id of a chart: its last path segment. */
function helmId(chart: string): string {
  return chart.replace(/\/+$/, '').split('/').at(-1) || 'chart';
}
