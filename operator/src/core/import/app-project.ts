// The AppProject of an Application, as far as the import uses it: does the project permit the
// Application's destination (Argo CD's globs, `!` denies), and which of its restrictions
// Keelson has no place for (it has no projects: Kubernetes RBAC decides).
import type { ArgoDocument } from './argocd-application.ts';
import { isFields } from './field-reader.ts';
import type { ImportNotes } from './import-notes.ts';

/** An Application's destination: a cluster (by URL or name) and a namespace. */
export interface Destination {
  readonly server?: string;
  readonly name?: string;
  readonly namespace?: string;
}

interface DestinationRule {
  readonly server?: string;
  readonly name?: string;
  readonly namespace?: string;
}

/** Whether the project's `spec.destinations` permit the destination. */
export function isDestinationPermitted(project: ArgoDocument, target: Destination): boolean {
  const destination = withInClusterAliases(target);
  const spec = project.object.spec as Record<string, unknown>;
  const rules = (Array.isArray(spec.destinations) ? spec.destinations : []).filter(isFields) as DestinationRule[];
  const namespace = destination.namespace ?? '';
  const cluster = (rule: DestinationRule) => {
    const server = rule.server?.replace(/^!/, '');
    const name = rule.name?.replace(/^!/, '');
    return (
      (server !== undefined && destination.server !== undefined && globMatch(server, destination.server)) ||
      (name !== undefined && destination.name !== undefined && globMatch(name, destination.name))
    );
  };
  const denied = rules.some(
    (r) => r.namespace?.startsWith('!') && cluster(r) && globMatch(r.namespace.slice(1), namespace),
  );
  if (denied) return false;
  return rules.some(
    (r) =>
      !r.namespace?.startsWith('!') &&
      !r.server?.startsWith('!') &&
      !r.name?.startsWith('!') &&
      cluster(r) &&
      globMatch(r.namespace ?? '', namespace),
  );
}

export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
export const IN_CLUSTER_NAME = 'in-cluster';

/** The cluster Argo CD runs in goes by a URL and a name: a rule may use either. */
function withInClusterAliases(d: Destination): Destination {
  if (d.name === IN_CLUSTER_NAME && d.server === undefined) return { ...d, server: IN_CLUSTER_SERVER };
  if (d.server === IN_CLUSTER_SERVER && d.name === undefined) return { ...d, name: IN_CLUSTER_NAME };
  return d;
}

/** Argo CD's glob: `*` any run of characters, `?` one character. */
export function globMatch(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(text);
}

const NO_PROJECTS =
  'Keelson has no projects: restrict what an Environment may change with Kubernetes RBAC ' +
  'and spec.serviceAccountName';

/** Checks the destination against the project and notes what the project restricts that Keelson does not. */
export function checkProject(
  projectName: string,
  project: ArgoDocument | undefined,
  destination: Destination,
  notes: ImportNotes,
): void {
  const where = [destination.server ?? destination.name, destination.namespace].filter(Boolean).join(' namespace ');
  if (!project) {
    if (projectName === 'default') return;
    notes.skip(
      'spec.project',
      `AppProject "${projectName}" is not among the inputs: whether it permits ${where} ` +
        `was not checked. ${NO_PROJECTS}`,
    );
    return;
  }
  if (isDestinationPermitted(project, destination)) {
    notes.convert('spec.project', `AppProject "${projectName}" permits ${where}`);
  } else {
    notes.skip(
      'spec.destination',
      `AppProject "${projectName}" does not permit ${where}: Argo CD refuses to sync it, ` +
        'Keelson would apply it. Fix the destination, or give the Environment a spec.serviceAccountName that may not',
    );
  }
  const spec = project.object.spec as Record<string, unknown>;
  const restrictions = Object.keys(spec).filter((k) => k !== 'destinations' && k !== 'description' && spec[k] !== null);
  if (restrictions.length > 0) {
    notes.skip('spec.project', `AppProject "${projectName}" ${restrictions.join(', ')}: ${NO_PROJECTS}`);
  }
}
