// keelson.dev/v1alpha1: the resource definitions, the one source of the CRDs in crds/ and
// of the TypeScript types the operator uses.
import type { ResourceDefinition } from '../crd.ts';
import { EnvironmentSpec, EnvironmentStatus } from './environment.ts';
import { GitRepositorySpec, GitRepositoryStatus } from './git-repository.ts';
import { NotificationSpec, NotificationStatus } from './notification.ts';
import { SyncWindowSpec, SyncWindowStatus } from './sync-window.ts';

export * from './environment.ts';
export * from './git-repository.ts';
export * from './notification.ts';
export * from './sync-window.ts';
export { Condition, type CelRule } from './schema.ts';

export const GROUP = 'keelson.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const gitRepositoryDefinition: ResourceDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'GitRepository',
  plural: 'gitrepositories',
  singular: 'gitrepository',
  shortNames: ['kgit'],
  categories: ['keelson'],
  description: 'A Git repository Keelson fetches deploy repositories and pass stores from.',
  spec: GitRepositorySpec,
  status: GitRepositoryStatus,
  printerColumns: [
    { name: 'URL', type: 'string', jsonPath: '.spec.url' },
    { name: 'Revision', type: 'string', jsonPath: '.status.artifact.revision' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

export const environmentDefinition: ResourceDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'Environment',
  plural: 'environments',
  singular: 'environment',
  shortNames: ['kenv'],
  categories: ['keelson'],
  description: 'One environment of a cdk8s deploy repository, synced to the cluster by Keelson.',
  spec: EnvironmentSpec,
  status: EnvironmentStatus,
  printerColumns: [
    { name: 'Sync', type: 'string', jsonPath: '.status.sync.status' },
    { name: 'Health', type: 'string', jsonPath: '.status.health.status' },
    { name: 'Revision', type: 'string', jsonPath: '.status.sync.revision' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', priority: 1 },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

export const notificationDefinition: ResourceDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'Notification',
  plural: 'notifications',
  singular: 'notification',
  shortNames: ['knotify'],
  categories: ['keelson'],
  description: 'Who is told what about the Environments of its namespace: triggers, one provider, templates.',
  spec: NotificationSpec,
  status: NotificationStatus,
  printerColumns: [
    { name: 'Provider', type: 'string', jsonPath: '.spec.provider.type' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

export const syncWindowDefinition: ResourceDefinition = {
  group: GROUP,
  version: VERSION,
  kind: 'SyncWindow',
  plural: 'syncwindows',
  singular: 'syncwindow',
  shortNames: ['kwin'],
  categories: ['keelson'],
  description: 'An allow or deny sync window shared by the Environments of its namespace its selector matches.',
  spec: SyncWindowSpec,
  status: SyncWindowStatus,
  printerColumns: [
    { name: 'Kind', type: 'string', jsonPath: '.spec.kind' },
    { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
    { name: 'Duration', type: 'string', jsonPath: '.spec.duration' },
    { name: 'Time Zone', type: 'string', jsonPath: '.spec.timeZone' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

export const definitions: readonly ResourceDefinition[] = [
  gitRepositoryDefinition,
  environmentDefinition,
  notificationDefinition,
  syncWindowDefinition,
];
