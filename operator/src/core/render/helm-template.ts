// Reads the `helm template` arguments cdk8s's Helm construct builds (values file, --repo,
// --version, --namespace, the construct's helmFlags, release name, chart) into a request
// the operator carries out. Only flags that change what the chart renders pass; a flag that
// would run a program, read a file, talk to a cluster or change where Helm looks for
// credentials is refused by name, so the deploy repository cannot steer Helm outside what
// rendering a chart needs.
import { resolveRepositoryPath } from './repository-path.ts';

export type ChartReference =
  /** A chart folder of the repository, by tree path. */
  | { readonly type: 'local'; readonly path: string }
  /** A chart of an HTTP(S) chart repository, at a pinned version. */
  | { readonly type: 'repository'; readonly repository: string; readonly name: string; readonly version: string }
  /** A chart in an OCI registry (`oci://host/path/name`), at a pinned version. */
  | { readonly type: 'oci'; readonly reference: string; readonly version: string };

export interface HelmTemplateRequest {
  readonly releaseName: string;
  readonly chart: ChartReference;
  readonly namespace?: string;
  /** Values files, as the placeholders of the files the construct wrote (applied in order). */
  readonly valueFiles: readonly string[];
  /** The other allowed flags, normalized to `--name` or `--name value` pairs, in order. */
  readonly flags: readonly string[];
}

const WITH_VALUE: Readonly<Record<string, string>> = {
  '-f': 'values',
  '--values': 'values',
  '--repo': 'repo',
  '--version': 'version',
  '-n': 'namespace',
  '--namespace': 'namespace',
  '--set': '--set',
  '--set-string': '--set-string',
  '--set-json': '--set-json',
  '--kube-version': '--kube-version',
  '-a': '--api-versions',
  '--api-versions': '--api-versions',
  '-s': '--show-only',
  '--show-only': '--show-only',
  '--name-template': '--name-template',
};
const BOOLEAN = new Set([
  '--include-crds',
  '--skip-crds',
  '--skip-tests',
  '--no-hooks',
  '--is-upgrade',
  '--disable-openapi-validation',
  '--skip-schema-validation',
  '--devel',
]);
const REFUSED: Readonly<Record<string, string>> = {
  '--post-renderer': 'it runs a program',
  '--post-renderer-args': 'it runs a program',
  '--set-file': 'it reads files outside the chart: put the value in `values`',
  '--repository-config': 'it changes where Helm finds credentials',
  '--registry-config': 'it changes where Helm finds credentials',
  '--username': "credentials come from the Environment's spec.chartRepositories, never from the repository",
  '--password': "credentials come from the Environment's spec.chartRepositories, never from the repository",
  '--kubeconfig': 'rendering never talks to a cluster',
  '--kube-context': 'rendering never talks to a cluster',
  '--validate': 'rendering never talks to a cluster',
  '--dry-run': 'rendering never talks to a cluster',
  '--output-dir': 'rendering writes no files',
  '--dependency-update': 'the operator fetches chart dependencies itself',
};
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export class HelmArgumentError extends Error {
  override readonly name = 'HelmArgumentError';
}

/** Parses cdk8s's `helm template` arguments (without `template`); `cwd` is the deploy repository's folder in the tree. */
export function parseHelmTemplate(args: readonly string[], cwd: string): HelmTemplateRequest {
  const positionals: string[] = [];
  const flags: string[] = [];
  const valueFiles: string[] = [];
  const named: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    const refusal = REFUSED[name];
    if (refusal) throw new HelmArgumentError(`helm flag ${name} is not allowed: ${refusal}`);
    if (BOOLEAN.has(name)) {
      flags.push(arg);
      continue;
    }
    const target = WITH_VALUE[name];
    if (!target) throw new HelmArgumentError(`helm flag ${name} is not supported by Keelson's rendering`);
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new HelmArgumentError(`helm flag ${name} needs a value`);
    if (target === 'values') valueFiles.push(value);
    else if (target.startsWith('--')) flags.push(target, value);
    else named[target] = value;
  }
  if (positionals.length !== 2) {
    throw new HelmArgumentError(
      `expected a release name and a chart, got ${positionals.length} arguments: ${positionals.join(' ')}`,
    );
  }
  const [releaseName, chart] = positionals as [string, string];
  return {
    releaseName,
    chart: chartReference(chart, named.repo, named.version, cwd),
    valueFiles,
    flags,
    namespace: named.namespace,
  };
}

function chartReference(
  chart: string,
  repository: string | undefined,
  version: string | undefined,
  cwd: string,
): ChartReference {
  if (chart.startsWith('oci://')) {
    if (repository) throw new HelmArgumentError(`chart "${chart}" is an OCI reference: it takes no repo`);
    return { type: 'oci', reference: chart.replace(/\/+$/, ''), version: pinned(chart, version) };
  }
  if (repository !== undefined) {
    if (!/^https?:\/\//.test(repository))
      throw new HelmArgumentError(`repo "${repository}" of chart "${chart}" is not an http(s):// URL`);
    return {
      type: 'repository',
      repository: repository.replace(/\/+$/, ''),
      name: chart,
      version: pinned(chart, version),
    };
  }
  if (version !== undefined)
    throw new HelmArgumentError(
      `chart "${chart}" is a folder of the repository: it takes no version (set repo: for a chart of a repository)`,
    );
  return { type: 'local', path: resolveRepositoryPath(chart, cwd) };
}

function pinned(chart: string, version: string | undefined): string {
  if (version === undefined)
    throw new HelmArgumentError(`chart "${chart}" has no version: pin one, e.g. version: '1.2.3'`);
  if (!EXACT_VERSION.test(version))
    throw new HelmArgumentError(
      `version "${version}" of chart "${chart}" is not one exact version: pin one, e.g. '1.2.3'`,
    );
  return version;
}
