// The operator's synthesis: the renderer, the pool of warm synthesis workers, and the two
// caches in front of them: results by revision (a revision's synthesis never changes), and
// the last result of each repository, path and environment with what it read, reused by a
// revision that touches none of it (ADR 0022).
import { Renderer } from './adapters/render/renderer.ts';
import { Synthesizer } from './adapters/synth/synthesizer.ts';
import { DependencyStore } from './adapters/npm/dependency-store.ts';
import type { EnvironmentMetrics } from './adapters/metrics/environment-metrics.ts';
import type { DesiredStateDeps } from './controllers/environment/desired-state.ts';
import { ResultCache } from './controllers/environment/result-cache.ts';
import { SynthesisReuse } from './controllers/environment/synthesis-reuse.ts';
import type { Logger } from './core/logger.ts';
import type { OperatorConfig } from './core/operator-config.ts';
import type { SynthesisResult } from './core/synthesis.ts';
import type { SourceTree } from './core/source.ts';
import type {
  EnvironmentResource,
  GitRepositoryResource,
  KeelsonResources,
} from './adapters/kubernetes/keelson-resources.ts';
import type { ArtifactSource } from './controllers/environment/ports.ts';

/** Results kept (by revision), and reuse records at least: one per (repository, path, environment). */
const KEPT = 4096;

export interface OperatorSynthesis {
  readonly synthesizer: Synthesizer;
  readonly synthesize: DesiredStateDeps['synthesize'];
  /** Whether `tree` (a new revision of its deploy repository) changes what the Environment's last synthesis read. */
  touches(env: EnvironmentResource, tree: SourceTree): Promise<boolean>;
}

/** The scope of a synthesis: the repository (namespace/name), the path and the environment. */
function scopeOf(repository: string, path: string, environment: string): string {
  return `${repository}|${path}|${environment}`;
}

/**
 * @param environments how many Environments the operator reconciles now: the reuse records
 * follow it (a quarter more, so Environments coming and going do not evict the ones that stay)
 */
export function createSynthesis(
  config: OperatorConfig,
  metrics: EnvironmentMetrics,
  log: Logger,
  environments: () => number,
): OperatorSynthesis {
  const renderer = new Renderer({
    cacheDir: `${config.cacheDir}/render`,
    helm: config.helm,
    kustomize: config.kustomize,
    limits: { timeoutMs: config.renderTimeoutMs, memoryMiB: config.renderMemoryMiB },
  });
  const synthesizer = new Synthesizer({
    cacheDir: `${config.cacheDir}/synth`,
    size: config.synthWorkers,
    heapLimitMb: config.synthMemoryMiB,
    timeoutMs: config.synthTimeoutMs,
    renderer,
    // A deploy repository's own package.json and lockfile, installed once per lockfile (ADR 15).
    dependencies: new DependencyStore({ cacheDir: `${config.cacheDir}/npm` }),
  });
  // Both follow the fleet: with fewer results than Environments, a reconcile at the revision it
  // synthesized misses and rebuilds its result from the reuse records (at 10,000 Environments,
  // each reconcile of an unchanged one did). The results are the objects the reuse records hold.
  const kept = () => Math.max(KEPT, Math.ceil(environments() * 1.25));
  const results = new ResultCache<SynthesisResult>(kept);
  const reuse = new SynthesisReuse(kept);
  return {
    synthesizer,
    // One warm worker per repository and path, reused across its commits.
    synthesize: (tree, { path, environment, repository, chartAccess, npmAccess }) => {
      const source = { tree, path, isolationKey: `${repository}:${path}`, chartAccess, npmAccess };
      return results.get(
        `${repository}|${tree.revision}|${path}|${environment}`,
        !tree.revision.startsWith('dir:'),
        async () => {
          const scope = scopeOf(repository, path, environment);
          const outcome = await reuse.synthesize(scope, tree, () =>
            metrics.timeSynthesis(() => synthesizer.synthesize(source, environment)),
          );
          if (outcome.reusedFrom !== undefined) {
            metrics.synthesisReused.inc();
            log.debug('synthesis reused: the revision changed none of its inputs', {
              repository,
              path,
              environment,
              revision: tree.revision,
              from: outcome.reusedFrom,
            });
          }
          return outcome.result;
        },
      );
    },
    touches: (env, tree) =>
      reuse.touches(
        scopeOf(`${env.metadata.namespace}/${env.spec.sourceRef.name}`, env.spec.path ?? '.', env.spec.environment),
        tree,
      ),
  };
}

/**
 * The EnvironmentController's `touches`: whether the GitRepository's current artifact touches
 * the inputs of the Environment (by key); true for a pass store's repository or when unknown.
 */
export function touchedBy(
  synthesis: Pick<OperatorSynthesis, 'touches'>,
  resources: Pick<KeelsonResources, 'getEnvironment'>,
  artifacts: ArtifactSource,
): (key: string, repo: GitRepositoryResource) => Promise<boolean> {
  return async (key, repo) => {
    const commit = repo.status?.artifact?.commit;
    const [namespace, name] = key.split('/') as [string, string];
    const env = await resources.getEnvironment(namespace, name);
    if (!commit || env.spec.sourceRef.name !== repo.metadata.name) return true;
    return synthesis.touches(env, await artifacts.tree(repo, commit));
  };
}
