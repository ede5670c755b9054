// The desired state `keelson diff` compares, built on the user's machine with the user's
// credentials and exactly as the operator builds it (buildDesiredState: the same synthesizer,
// placement in spec.targetNamespace, app labels, the chart and npm credentials of the
// Environment through the operator's own loaders). Its source is the GitRepository's artifact
// (status.artifact, fetched from spec.url with the operator's Git source and the Secret of
// spec.secretRef), or, with --path, a checkout on disk, uncommitted changes included.
// PassSecret placeholders are not filled: nothing is decrypted here (see local-diff.ts).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeApiError } from '../adapters/kubernetes/api-error.ts';
import type { EnvironmentResource } from '../adapters/kubernetes/keelson-resources.ts';
import { NotFoundError } from '../adapters/kubernetes/keelson-resources.ts';
import type { ResourceMap } from '../adapters/kubernetes/resource-map.ts';
import { secretsOf } from '../adapters/kubernetes/secret-reader.ts';
import { GitSource, GitSourceError } from '../adapters/git/git-source.ts';
import { DirectoryTree } from '../adapters/source/directory-tree.ts';
import { ChartAccessLoader } from '../controllers/environment/chart-access.ts';
import { NpmAccessLoader } from '../controllers/environment/npm-access.ts';
import { buildDesiredState, type DesiredState } from '../controllers/environment/desired-state.ts';
import { loadCredentials } from '../controllers/git-credentials.ts';
import { isReconcileError } from '../controllers/reconcile-errors.ts';
import { parseDuration } from '../core/duration.ts';
import type { SecretRedactor } from '../core/redact.ts';
import { countPassReferences } from '../core/secrets/resolve.ts';
import type { SourceTree } from '../core/source.ts';
import { redactUrl } from '../core/source/git-failure.ts';
import type { Cluster } from './cluster.ts';
import type { CommandIO } from './command.ts';
import { relayLogs, withSynthesizer } from './local-synthesis.ts';

/** A failure `keelson diff` explains itself: the message names the cause and what to do. */
export class DiffError extends Error {
  override readonly name = 'DiffError';
}

export interface DesiredStateContext {
  readonly cluster: Cluster;
  readonly resourceMap: ResourceMap;
  readonly redactor: SecretRedactor;
  readonly io: CommandIO;
  /** A checkout of the GitRepository to diff instead of its artifact (spec.path is taken inside it). */
  readonly path?: string | undefined;
}

/** The desired state of `env`, as the operator would build it from the same source. */
export async function localDesiredState(env: EnvironmentResource, ctx: DesiredStateContext): Promise<DesiredState> {
  const tree = ctx.path ? new DirectoryTree(resolve(ctx.io.cwd, ctx.path)) : await artifactTree(env, ctx);
  const { kubeConfig } = ctx.cluster;
  const chartAccess = new ChartAccessLoader(kubeConfig, ctx.redactor);
  const npmAccess = new NpmAccessLoader(kubeConfig, ctx.redactor);
  return withSynthesizer(ctx.io, (synthesizer, userNpmAccess) =>
    buildDesiredState(env, tree, {
      synthesize: async (t, request) => {
        const { result, logs } = await synthesizer.synthesize(
          {
            tree: t,
            path: request.path,
            chartAccess: request.chartAccess,
            // Without spec.npmRegistries, the user's own ~/.npmrc tokens, as `keelson synth` uses.
            npmAccess: request.npmAccess ?? userNpmAccess,
          },
          request.environment,
        );
        relayLogs(ctx.redactor.redactText(logs), ctx.io);
        return result;
      },
      chartAccess: (e) => secretsOfEnvironment(() => chartAccess.load(e), e, 'spec.chartRepositories'),
      npmAccess: (e) => secretsOfEnvironment(() => npmAccess.load(e), e, 'spec.npmRegistries'),
      // Never decrypted on the user's machine: the placeholders stay, and are left out of the comparison.
      resolveSecrets: async (_e, objects) => ({ objects: [...objects], references: countPassReferences(objects) }),
      isNamespaced: (_e, apiVersion, kind) =>
        ctx.resourceMap.lookup(apiVersion, kind).then(
          (r) => r.namespaced,
          () => undefined,
        ),
    }),
  );
}

/** The local cache root, shared with `keelson synth` (KEELSON_CACHE, or ~/.cache/keelson). */
function cacheRoot(io: CommandIO): string {
  return io.env.KEELSON_CACHE ?? join(homedir(), '.cache', 'keelson');
}

/** The tree of the GitRepository's artifact, fetched with the credentials of its spec.secretRef. */
async function artifactTree(env: EnvironmentResource, ctx: DesiredStateContext): Promise<SourceTree> {
  const ns = env.metadata.namespace;
  const name = env.spec.sourceRef.name;
  let repo;
  try {
    repo = await ctx.cluster.resources.getGitRepository(ns, name);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new DiffError(`GitRepository ${ns}/${name}, the Environment's spec.sourceRef, does not exist`);
    throw err;
  }
  const artifact = repo.status?.artifact;
  if (!artifact)
    throw new DiffError(
      `GitRepository ${ns}/${name} has no artifact yet (the operator has not fetched it): wait for it, or diff a checkout with --path <dir>`,
    );
  let credentials;
  try {
    credentials = await loadCredentials(secretsOf(ctx.cluster.kubeConfig), repo, ctx.redactor);
  } catch (err) {
    const secret = `Secret ${ns}/${repo.spec.secretRef?.name}`;
    if (err instanceof KubeApiError && (err.status === 403 || err.status === 401))
      throw new DiffError(
        `you may not read ${secret} (HTTP ${err.status}), the credentials of ${redactUrl(repo.spec.url)} in ` +
          `spec.secretRef of GitRepository ${name}: ask for verb get on it, or diff a checkout of the repository ` +
          'with --path <dir>',
      );
    if (isReconcileError(err)) throw new DiffError(`${err.message} (GitRepository ${ns}/${name})`);
    throw err;
  }
  const source = new GitSource({ cacheDir: join(cacheRoot(ctx.io), 'git') });
  try {
    return await source.artifactAt(
      {
        url: repo.spec.url,
        ref: repo.spec.ref,
        credentials,
        timeoutMs: parseDuration(repo.spec.timeout ?? '60s'),
      },
      artifact.commit,
    );
  } catch (err) {
    if (err instanceof GitSourceError)
      throw new DiffError(
        `cannot fetch ${artifact.revision} of GitRepository ${ns}/${name}: ${ctx.redactor.redactText(err.failure.message)}; or diff a checkout with --path <dir>`,
      );
    throw err;
  }
}

/** A loader's Secret reads, their failures said in the CLI's words (the Secret, the field, what to do). */
async function secretsOfEnvironment<T>(load: () => Promise<T>, env: EnvironmentResource, field: string): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 403 || err.status === 401))
      throw new DiffError(
        `you may not read a Secret that ${field} of Environment ${env.metadata.namespace}/${env.metadata.name} ` +
          `names (HTTP ${err.status}): ask for verb get on it`,
      );
    if (isReconcileError(err)) throw new DiffError(err.message);
    throw err;
  }
}
