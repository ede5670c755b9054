// Shared set-up of the notification tests: a one-Deployment deploy repository, and helpers to
// create Notifications and read them back.
import * as k8s from '@kubernetes/client-node';
import type { NotificationSpec, NotificationStatus } from '../../../operator/src/api/v1alpha1/notification.ts';
import type { Story } from '../../harness/story.ts';

/** One Deployment `web` with this image tag and selector, for dev and prod. */
export function webRepo(tag: string, selector: Record<string, string> = { app: 'web' }): Record<string, string> {
  const labels = JSON.stringify(selector);
  return {
    'main.ts': `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Web extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    new ApiObject(this, 'web', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: ${labels} }, template: { metadata: { labels: ${labels} },
        spec: { containers: [{ name: 'web', image: 'registry.example/web:${tag}' }] } } },
    } as any);
  }
}

export default defineEnvironments({ dev: (env) => { new Web(env, 'web'); }, prod: (env) => { new Web(env, 'web'); } });
`,
  };
}

export interface NotificationObject {
  metadata: { name: string; generation?: number };
  spec: NotificationSpec;
  status?: NotificationStatus;
}

const api = { group: 'keelson.dev', version: 'v1alpha1', plural: 'notifications' };

export function createNotification(story: Story, name: string, spec: unknown): Promise<unknown> {
  return story.custom.createNamespacedCustomObject({
    ...api,
    namespace: story.ns,
    body: { apiVersion: 'keelson.dev/v1alpha1', kind: 'Notification', metadata: { name }, spec },
  });
}

export async function getNotification(story: Story, name: string): Promise<NotificationObject> {
  return (await story.custom.getNamespacedCustomObject({ ...api, namespace: story.ns, name })) as NotificationObject;
}

export async function listNotifications(story: Story): Promise<NotificationObject[]> {
  return (
    (await story.custom.listNamespacedCustomObject({ ...api, namespace: story.ns })) as { items: NotificationObject[] }
  ).items;
}

export async function createSecret(story: Story, name: string, stringData: Record<string, string>): Promise<void> {
  await story.kc
    .makeApiClient(k8s.CoreV1Api)
    .createNamespacedSecret({ namespace: story.ns, body: { metadata: { name }, stringData } });
}

export function readyOf(n: NotificationObject | undefined): { status?: string; reason?: string; message?: string } {
  return n?.status?.conditions?.find((c) => c.type === 'Ready') ?? {};
}
