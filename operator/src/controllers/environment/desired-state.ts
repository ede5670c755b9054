// The desired state of an Environment at one revision: its deploy repository synthesized,
// every object labelled with its app, namespaced objects without a namespace placed in
// spec.targetNamespace, and PassSecret placeholders filled. Any failure here stops the
// reconcile before anything is compared or applied.
import type { EnvironmentResource } from '../../adapters/kubernetes/keelson-resources.ts';
import { LABEL_APP } from '../../core/keys.ts';
import { groupOf, type KubeObject } from '../../core/manifest.ts';
import type { SourceTree } from '../../core/source.ts';
import type { SynthesisResult, SynthesizedApp } from '../../core/synthesis.ts';
import { PassSecretError, SecretsResolutionError } from '../../core/secrets/errors.ts';
import { secretsResolvedCondition } from '../../core/secrets/condition.ts';
import { SECRETS_RESOLVED } from './environment-conditions.ts';
import {
  StalledError,
  TransientError,
  WaitingError,
  isReconcileError,
  type ReconcileError,
} from '../reconcile-errors.ts';
import type { ChartAccessResolver } from './chart-access.ts';
import type { NpmAccessResolver } from './npm-access.ts';
import { SynthesisError } from '../../core/synthesis-check.ts';
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.ts';

export interface DesiredState {
  readonly revision: string;
  readonly apps: readonly SynthesizedApp[];
  readonly objects: readonly KubeObject[];
  /** PassSecret references resolved (0 when the environment has none). */
  readonly secretReferences: number;
}

/** What to synthesize: `repository` (namespace/name of the GitRepository) keeps one warm worker per repository. */
export interface SynthesisRequest {
  readonly path: string;
  readonly environment: string;
  readonly repository: string;
  /** How to reach the chart repositories it names (spec.chartRepositories). @default anonymous */
  readonly chartAccess?: ChartAccessResolver;
  /** The tokens of the npm registries it installs from (spec.npmRegistries). @default anonymous */
  readonly npmAccess?: NpmAccessResolver;
}

export interface DesiredStateDeps {
  synthesize(tree: SourceTree, request: SynthesisRequest): Promise<SynthesisResult>;
  /** Reads spec.chartRepositories and their Secrets; undefined when there are none. */
  chartAccess(env: EnvironmentResource): Promise<ChartAccessResolver | undefined>;
  /** Reads spec.npmRegistries and their Secrets; undefined when there are none. */
  npmAccess?(env: EnvironmentResource): Promise<NpmAccessResolver | undefined>;
  /** Fills PassSecret placeholders; returns the objects unchanged when there are none. */
  resolveSecrets(
    env: EnvironmentResource,
    objects: readonly KubeObject[],
  ): Promise<{ objects: KubeObject[]; references: number }>;
  /**
   * Whether a kind is namespaced on the Environment's cluster (its spec.destination's, or the
   * operator's own); undefined when that API server does not know it (yet).
   */
  isNamespaced(env: EnvironmentResource, apiVersion: string, kind: string): Promise<boolean | undefined>;
}

export async function buildDesiredState(
  env: EnvironmentResource,
  tree: SourceTree,
  deps: DesiredStateDeps,
): Promise<DesiredState> {
  const chartAccess = await deps.chartAccess(env);
  const npmAccess = await deps.npmAccess?.(env);
  const synthesized = await deps.synthesize(tree, {
    path: env.spec.path ?? '.',
    environment: env.spec.environment,
    repository: `${env.metadata.namespace}/${env.spec.sourceRef.name}`,
    chartAccess,
    npmAccess,
  });
  const crdScopes = scopesFromCrds(synthesized.apps.flatMap((a) => a.objects));
  const placed: { app: string; obj: KubeObject }[] = [];
  for (const app of synthesized.apps) {
    for (const obj of app.objects) {
      placed.push({ app: app.name, obj: await place(obj, app.name, env, crdScopes, deps) });
    }
  }
  const { objects, references } = await deps.resolveSecrets(
    env,
    placed.map((p) => p.obj),
  );
  const apps = synthesized.apps.map((app) => ({
    name: app.name,
    objects: objects.filter((_, i) => placed[i]!.app === app.name),
  }));
  return { revision: tree.revision, apps, objects, secretReferences: references };
}

async function place(
  obj: KubeObject,
  app: string,
  env: EnvironmentResource,
  crdScopes: ReadonlyMap<string, boolean>,
  deps: DesiredStateDeps,
): Promise<KubeObject> {
  const targetNamespace = env.spec.targetNamespace;
  const labels = { ...obj.metadata.labels, [LABEL_APP]: app };
  let namespace = obj.metadata.namespace;
  if (!namespace && targetNamespace) {
    const namespaced =
      crdScopes.get(`${groupOf(obj.apiVersion)}/${obj.kind}`) ??
      (await deps.isNamespaced(env, obj.apiVersion, obj.kind));
    if (namespaced) namespace = targetNamespace;
  }
  return { ...obj, metadata: { ...obj.metadata, labels, ...(namespace ? { namespace } : {}) } };
}

/** `group/Kind` → namespaced, for the CRDs the environment itself declares. */
function scopesFromCrds(objects: readonly KubeObject[]): Map<string, boolean> {
  const scopes = new Map<string, boolean>();
  for (const obj of objects) {
    if (obj.kind !== 'CustomResourceDefinition' || groupOf(obj.apiVersion) !== 'apiextensions.k8s.io') continue;
    const spec = obj.spec as { group?: string; names?: { kind?: string }; scope?: string } | undefined;
    if (spec?.group && spec.names?.kind) scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope !== 'Cluster');
  }
  return scopes;
}

/** A failure to build the desired state, as the step error the reconciler reports (secrets, synthesis, annotations). */
export function classifyDesiredStateError(err: unknown, redact: (t: string) => string): ReconcileError {
  if (isReconcileError(err)) return err;
  if (err instanceof SecretsResolutionError || err instanceof PassSecretError) {
    const c = secretsResolvedCondition(err);
    const message = redact(c.message);
    return err.isTransient
      ? new WaitingError(c.reason, message, 30_000, { condition: SECRETS_RESOLVED })
      : new StalledError(c.reason, message, { condition: SECRETS_RESOLVED });
  }
  const message = redact(err instanceof Error ? err.message : String(err));
  // A chart repository or registry that is down: the last synced state stays, and the render is tried again.
  if (err instanceof SynthesisError && err.reason === 'ChartUnavailable') {
    return new WaitingError(Reason.ChartUnavailable, message, 30_000, { condition: ConditionType.Synthesized });
  }
  // The same for an npm registry: the install of this lockfile is tried again.
  if (err instanceof SynthesisError && err.reason === 'DependenciesUnavailable') {
    return new WaitingError(Reason.DependenciesUnavailable, message, 30_000, { condition: ConditionType.Synthesized });
  }
  if (err instanceof SynthesisError)
    return new StalledError(Reason.SynthesisFailed, message, { condition: ConditionType.Synthesized });
  return new TransientError(Reason.SynthesisError, message, { condition: ConditionType.Synthesized });
}
