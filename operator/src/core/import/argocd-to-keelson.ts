// One Argo CD Application as Keelson resources: a GitRepository (where the deploy code is
// committed: the Application's Git repository) and an Environment (sync policy, retry,
// ignore rules, target namespace), plus the plan the deploy code renders. Every field is
// read through a FieldReader; what no step read is listed as not carried over.
import { API_VERSION } from '../../api/v1alpha1/index.ts';
import { defined } from '../defined.ts';
import type { KubeObject } from '../manifest.ts';
import { checkProject, IN_CLUSTER_NAME, IN_CLUSTER_SERVER, type Destination } from './app-project.ts';
import type { ArgoDocument } from './argocd-application.ts';
import { planSource, type PathKindLookup, type Render, type SourceContext, type SourcePlan } from './argocd-source.ts';
import { codeFileOf } from './deploy-code.ts';
import { describeJson, FieldReader } from './field-reader.ts';
import { dnsLabel, fetchUrl, gitRef, type GitLocation, type RepositoryNames } from './git-ref.ts';
import { ImportError, type DocumentOrigin } from './import-error.ts';
import { ImportNotes } from './import-notes.ts';
import { planSync, type NamespacePlan } from './sync-policy.ts';

export interface ConvertOptions {
  /** Folder of the repository the deploy code is committed to: the Environments' spec.path. */
  readonly deployPath: string;
  /** The Git repository of the deploy code for Applications that have no Git source (charts only). */
  readonly deployRepo?: { readonly url: string; readonly ref?: string };
  /** metadata.namespace of the Keelson resources. @default - none: `kubectl apply -n` decides */
  readonly namespace?: string;
  readonly pathKind?: PathKindLookup;
}

export interface ImportedApplication {
  readonly name: string;
  readonly origin: DocumentOrigin;
  /** The environment's name in the deploy code and in spec.environment. */
  readonly environment: string;
  /** The GitRepository and the Environment. */
  readonly resources: readonly [KubeObject, KubeObject];
  readonly renders: readonly Render[];
  readonly namespace?: NamespacePlan;
  /** One line per source: what it is. */
  readonly sources: readonly string[];
  readonly notes: ImportNotes;
}

export interface ConvertContext {
  readonly projects: ReadonlyMap<string, ArgoDocument>;
  readonly repositories: RepositoryNames;
  readonly options: ConvertOptions;
}

export function convertApplication(doc: ArgoDocument, ctx: ConvertContext): ImportedApplication {
  const notes = new ImportNotes();
  const root = new FieldReader(doc.object, '', doc.origin);
  root.ignore('apiVersion', 'kind', 'status', 'operation');
  const metadata = readMetadata(root.object('metadata')!, notes);
  const spec = root.object('spec')!;
  const environment = dnsLabel(doc.name);
  if (environment !== doc.name) notes.convert('metadata.name', `the environment "${environment}" (a DNS label)`);
  const codeFile = `${ctx.options.deployPath}/${codeFileOf(environment)}`;
  const destination = readDestination(spec.object('destination')!, notes);
  const project = spec.string('project') ?? 'default';
  checkProject(project, ctx.projects.get(project), destination, notes);
  const sourceCtx: SourceContext = {
    appName: doc.name,
    namespace: destination.namespace,
    deployPath: ctx.options.deployPath,
    codeFile,
    notes,
    pathKind: ctx.options.pathKind,
  };
  const { plans, renders, first } = planSources(spec, syncedRevisions(doc), sourceCtx);
  const location = first ? gitLocation(first, doc.origin, notes) : deployLocation(doc, ctx.options.deployRepo, notes);
  const sync = planSync(spec, destination.namespace, notes);
  const historyLimit = readHistoryLimit(spec, notes);
  if (spec.has('info')) notes.skip('spec.info', 'informational links: no equivalent');
  spec.ignore('info');
  for (const { field, value } of root.unread()) {
    notes.skip(field, `${describeJson(value)}: not known to keelson import`);
  }
  notes.sortLike(doc.object);
  const repository = ctx.repositories.nameOf(location);
  const namespace = ctx.options.namespace === undefined ? {} : { namespace: ctx.options.namespace };
  const gitRepository: KubeObject = {
    apiVersion: API_VERSION,
    kind: 'GitRepository',
    metadata: { name: repository, ...namespace },
    spec: { ...location },
  };
  const environmentResource: KubeObject = {
    apiVersion: API_VERSION,
    kind: 'Environment',
    metadata: { name: doc.name, ...namespace, labels: metadata.labels },
    spec: defined({
      sourceRef: { name: repository },
      path: ctx.options.deployPath,
      environment,
      targetNamespace: destination.namespace,
      sync: sync.sync,
      retry: sync.retry,
      historyLimit,
      deletionPolicy: metadata.deletionPolicy,
    }),
  };
  return {
    name: doc.name,
    origin: doc.origin,
    environment,
    resources: [gitRepository, environmentResource],
    renders,
    namespace: sync.namespace,
    sources: plans.map((p) => p.summary),
    notes,
  };
}

interface SourcesPlan {
  readonly plans: readonly SourcePlan[];
  readonly renders: readonly Render[];
  /** The Git repository of the first Git source: the one the Environment reads. */
  readonly first?: GitSource;
}

/** spec.source, or each of spec.sources: what is rendered, from which Git repository. */
function planSources(spec: FieldReader, synced: readonly (string | undefined)[], ctx: SourceContext): SourcesPlan {
  const { notes } = ctx;
  const single = spec.object('source');
  const multiple = spec.objects('sources');
  if (multiple && single) notes.skip('spec.source', 'Argo CD ignores it when spec.sources is set');
  const plans = (multiple ?? [single!]).flatMap((source, i) => {
    const ref = multiple ? source.string('ref') : undefined;
    const context = { ...ctx, ...(synced[i] === undefined ? {} : { syncedRevision: synced[i] }) };
    if (ref === undefined) return [planSource(source, context)];
    notes.skip(source.field('ref'), `"${ref}": a handle for $${ref}/ value files, which Keelson's Helm does not read`);
    if (source.has('path') || source.has('chart')) return [planSource(source, context)];
    source.ignore('repoURL', 'targetRevision');
    return [];
  });
  const first = plans.find((p) => p.git)?.git;
  const renders: Render[] = [];
  for (const plan of plans) {
    if (plan.git && first && (plan.git.repoURL !== first.repoURL || plan.git.targetRevision !== first.targetRevision)) {
      notes.skip(
        plan.git.field.replace(/\.targetRevision$/, ''),
        `${plan.summary}: an Environment reads one Git ` + `repository (${first.repoURL}): copy these files there`,
      );
    } else if (plan.render) {
      renders.push({ ...plan.render, id: uniqueId(plan.render.id, renders) });
    }
  }
  return { plans, renders, first };
}

function readHistoryLimit(spec: FieldReader, notes: ImportNotes): number | undefined {
  const limit = spec.integer('revisionHistoryLimit');
  if (limit === undefined) return undefined;
  const kept = Math.min(100, Math.max(1, limit));
  if (kept === limit) notes.convert('spec.revisionHistoryLimit', 'spec.historyLimit');
  else notes.skip('spec.revisionHistoryLimit', `${limit}: Keelson keeps 1 to 100 syncs, so historyLimit is ${kept}`);
  return kept;
}

/** status.sync.revision(s): what Argo CD last synced, per source. */
function syncedRevisions(doc: ArgoDocument): (string | undefined)[] {
  const status = doc.object.status as { sync?: { revision?: unknown; revisions?: unknown } } | undefined;
  const list = Array.isArray(status?.sync?.revisions) ? status.sync.revisions : [status?.sync?.revision];
  return list.map((r) => (typeof r === 'string' ? r : undefined));
}

const SERVER_SET = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
];
const RESOURCES_FINALIZER = /^resources-finalizer\.argocd\.argoproj\.io(\/(background|foreground))?$/;

interface MetadataPlan {
  readonly labels?: Record<string, string>;
  readonly deletionPolicy?: 'Delete';
}

function readMetadata(metadata: FieldReader, notes: ImportNotes): MetadataPlan {
  metadata.ignore(...SERVER_SET);
  const labels = metadata.stringMap('labels');
  if (labels) notes.convert('metadata.labels', 'metadata.labels of the Environment');
  for (const [key, value] of Object.entries(metadata.stringMap('annotations') ?? {})) {
    if (key === 'kubectl.kubernetes.io/last-applied-configuration' || key === 'argocd.argoproj.io/refresh') continue;
    notes.skip(
      `metadata.annotations["${key}"]`,
      `${describeJson(value)}: ${
        key.startsWith('notifications.argoproj.io/') ? 'Argo CD notifications: no equivalent' : 'not carried over'
      }`,
    );
  }
  let deletionPolicy: 'Delete' | undefined;
  for (const finalizer of metadata.strings('finalizers') ?? []) {
    if (RESOURCES_FINALIZER.test(finalizer)) {
      deletionPolicy = 'Delete';
      notes.convert(
        'metadata.finalizers',
        `${finalizer}: spec.deletionPolicy: Delete ` + '(deleting the Environment deletes what it manages)',
      );
    } else {
      notes.skip('metadata.finalizers', `${finalizer}: no equivalent`);
    }
  }
  for (const owner of metadata.objects('ownerReferences') ?? []) {
    notes.skip(owner.path, `owned by ${owner.string('kind')} "${owner.string('name')}": the Environment has no owner`);
    owner.ignore(...owner.keys());
  }
  return { labels, deletionPolicy };
}

function readDestination(destination: FieldReader, notes: ImportNotes): Destination {
  const server = destination.string('server');
  const name = destination.string('name');
  const namespace = destination.string('namespace') || undefined;
  if ((server ?? IN_CLUSTER_SERVER) === IN_CLUSTER_SERVER && (name ?? IN_CLUSTER_NAME) === IN_CLUSTER_NAME) {
    notes.convert(destination.path, 'the cluster Keelson runs in');
  } else {
    notes.skip(
      destination.path,
      `${name ?? server}: another cluster; Keelson applies to the cluster it runs in: ` + 'run it there',
    );
  }
  if (namespace !== undefined) {
    if (dnsLabel(namespace) !== namespace) {
      throw destination.error('namespace', `"${namespace}" is not a namespace name`);
    }
    notes.convert(destination.field('namespace'), 'spec.targetNamespace');
  }
  return { server: server || undefined, name: name || undefined, namespace };
}

type GitSource = NonNullable<SourcePlan['git']>;

function gitLocation(git: GitSource, origin: DocumentOrigin, notes: ImportNotes): GitLocation {
  const repoField = git.field.replace(/targetRevision$/, 'repoURL');
  const url = fetchUrl(git.repoURL, repoField, notes);
  if (!url) {
    throw new ImportError(origin, `${repoField}: "${git.repoURL}" is not a Git URL Keelson can fetch (https://…)`);
  }
  return defined({ ...url, ref: gitRef(git.targetRevision, git.field, notes) });
}

function deployLocation(doc: ArgoDocument, repo: ConvertOptions['deployRepo'], notes: ImportNotes): GitLocation {
  if (!repo) {
    throw new ImportError(
      doc.origin,
      'its sources are chart repositories, not Git: name the Git repository ' +
        'the deploy code is committed to with --deploy-repo <url>',
    );
  }
  const url = fetchUrl(repo.url, '--deploy-repo', notes);
  if (!url) {
    throw new ImportError(doc.origin, `--deploy-repo "${repo.url}" is not a Git URL Keelson can fetch (https://…)`);
  }
  const ref = repo.ref === undefined ? undefined : gitRef(repo.ref, '--deploy-ref', notes);
  return defined({ ...url, ref });
}

function uniqueId(id: string, taken: readonly Render[]): string {
  let candidate = id;
  for (let n = 2; taken.some((r) => r.id === candidate); n++) candidate = `${id}-${n}`;
  return candidate;
}
