// CRDs that come and go under a running operator, and deletion that never touches what
// Keelson does not own: a CRD deleted (and recreated by hand) under a live Environment
// heals; a CRD and its CR removed from the repo are pruned and the operation ends; an
// Environment deleted and created again with its CRD gone syncs again; deleting an
// Environment leaves an object someone else recreated in place, and says so.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);

/** A CRD of `group` (kind Widget) as a deploy repo or a person would write it. */
function widgetCrd(group: string): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

/**
 * The deploy repo: `dev` ships a CRD, a Widget and a ConfigMap (the CRD and Widget only while
 * `withCrd`; an app without objects when `empty`); `gone` ships two ConfigMaps and a CRD of its own group.
 */
function crdRepo(
  groups: { dev: string; gone: string },
  version: string,
  withCrd: boolean,
  empty = false,
): Record<string, string> {
  return {
    'main.ts': `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Dev extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    ${
      withCrd
        ? `new ApiObject(this, 'crd', ${JSON.stringify(widgetCrd(groups.dev))});
    new ApiObject(this, 'gear', { apiVersion: '${groups.dev}/v1', kind: 'Widget', metadata: { name: 'gear' }, spec: { size: 3 } } as any);`
        : ''
    }
    new ApiObject(this, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { version: '${version}' } });
  }
}

class Gone extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    new ApiObject(this, 'crd', ${JSON.stringify(widgetCrd(groups.gone))});
    new ApiObject(this, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { v: '1' } });
    new ApiObject(this, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: { v: '1' } });
  }
}

export default defineEnvironments({ dev: (env) => { ${empty ? "new App(env, 'dev');" : "new Dev(env, 'dev');"} }, gone: (env) => { new Gone(env, 'gone'); } });
`,
  };
}

const readyMessage = (e: { status?: { conditions?: { type: string; message?: string }[] } }) =>
  e.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
const syncedAndHealthy = (e: {
  status?: { sync?: { status?: string }; health?: { status?: string }; operation?: { phase?: string } };
}) =>
  e.status?.sync?.status === 'Synced' &&
  e.status.health?.status === 'Healthy' &&
  e.status.operation?.phase !== 'Running';

async function crdExists(name: string): Promise<k8s.V1CustomResourceDefinition | undefined> {
  try {
    return await ext.readCustomResourceDefinition({ name });
  } catch {
    return undefined;
  }
}

/** Deletes the CRD and waits until it is gone (or already made again: a self-healing Environment is quick). */
async function deleteCrd(name: string): Promise<void> {
  const uid = (await crdExists(name))?.metadata?.uid;
  await ext.deleteCustomResourceDefinition({ name });
  await eventually(async () => (await crdExists(name))?.metadata?.uid !== uid, {
    timeoutMs: 60_000,
    message: `CRD ${name} gone`,
  });
}

describe('CRDs that come and go, and deletion of what Keelson owns only', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  const groups = { dev: '', gone: '' };

  before(async () => {
    const suffix = `${process.pid}-${Date.now().toString(36)}`;
    groups.dev = `dev-${suffix}.example.com`;
    groups.gone = `gone-${suffix}.example.com`;
    await story.setUp({
      prefix: 'crds',
      files: crdRepo(groups, 'v1', true),
      environments: {
        dev: { sync: { automated: { prune: true, selfHeal: true } } },
        gone: { sync: { automated: { prune: true } }, deletionPolicy: 'Delete' },
      },
    });
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
    await operator.start();
    await story.until('dev', 'dev synced with its CRD and Widget', syncedAndHealthy);
    await story.until('gone', 'gone synced', syncedAndHealthy);
  });
  after(async () => {
    await operator?.kill();
    for (const g of Object.values(groups))
      if (g && (await crdExists(`widgets.${g}`))) await ext.deleteCustomResourceDefinition({ name: `widgets.${g}` });
    await story.tearDown();
  });

  const widget = (name = 'gear') =>
    custom.getNamespacedCustomObject({
      group: groups.dev,
      version: 'v1',
      namespace: story.targets.dev!,
      plural: 'widgets',
      name,
    }) as Promise<{ metadata: { uid: string; annotations?: Record<string, string> } }>;

  it('heals a CRD deleted by hand, and one deleted and recreated by hand, with its custom resource', async () => {
    const crd = `widgets.${groups.dev}`;
    const before = await widget();
    await deleteCrd(crd);
    const healed = await eventually(
      async () => {
        try {
          const w = await widget();
          return w.metadata.uid !== before.metadata.uid ? w : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 60_000, message: 'the Widget applied again after its CRD came back' },
    );
    assert.equal(healed.metadata.annotations?.['keelson.dev/owner'], `${story.ns}/dev`);
    await story.until('dev', 'dev Synced and Healthy again', syncedAndHealthy);

    // Deleted and at once recreated by hand, without Keelson's annotations: adopted, and the Widget comes back.
    await deleteCrd(crd);
    await ext
      .createCustomResourceDefinition({ body: widgetCrd(groups.dev) as unknown as k8s.V1CustomResourceDefinition })
      .catch(() => undefined); // Keelson may have made it again first

    await eventually(
      async () => (await crdExists(crd))?.metadata?.annotations?.['keelson.dev/owner'] === `${story.ns}/dev`,
      { timeoutMs: 60_000, message: 'the hand-made CRD adopted' },
    );
    await eventually(
      async () =>
        widget().then(
          () => true,
          () => false,
        ),
      { timeoutMs: 60_000, message: 'the Widget back' },
    );
    const env = await story.until('dev', 'dev Synced and Healthy after the hand-made CRD', syncedAndHealthy);
    assert.doesNotMatch(readyMessage(env), /JSON/);
    assert.doesNotMatch(operator.logs(), /Unexpected non-whitespace character after JSON/);
  });

  it('prunes a CRD and its custom resource removed from the repo, ends the operation, and syncs the next commit', async () => {
    const crd = `widgets.${groups.dev}`;
    const removed = await story.repo.commit(crdRepo(groups, 'v2', false), 'drop the CRD and its Widget');
    await story.refresh();
    const done = await story.until(
      'dev',
      'the prune of the CRD finished',
      (e) => e.status?.operation?.phase !== 'Running' && commitOf(e.status?.operation?.revision) === removed,
      { timeoutMs: 60_000 },
    );
    assert.equal(done.status!.operation!.phase, 'Succeeded', done.status!.operation!.message);
    assert.match(done.status!.operation!.message!, /pruned 2/);
    await eventually(async () => !(await crdExists(crd)), { timeoutMs: 30_000, message: 'the CRD deleted' });
    assert.deepEqual(
      done.status!.inventory!.filter((e) => e.includes('Widget') || e.includes('CustomResourceDefinition')),
      [],
    );

    const next = await story.repo.commit(crdRepo(groups, 'v3', false), 'v3');
    await story.refresh();
    await story.until(
      'dev',
      'the next commit synced',
      (e) => e.status?.operation?.phase === 'Succeeded' && commitOf(e.status.operation.revision) === next,
      { timeoutMs: 60_000 },
    );
    assert.equal(
      (await core.readNamespacedConfigMap({ name: 'settings', namespace: story.targets.dev! })).data?.version,
      'v3',
    );
  });

  it("deletes an Environment's own objects only: one recreated by someone else is left in place, and the Environment created again syncs", async () => {
    const ns = story.targets.gone!;
    // Someone deletes b and creates their own b: it carries none of Keelson's annotations.
    await core.deleteNamespacedConfigMap({ name: 'b', namespace: ns });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'b' }, data: { mine: 'yes' } } });
    await story.custom.deleteNamespacedCustomObject({
      group: 'keelson.dev',
      version: 'v1alpha1',
      namespace: story.ns,
      plural: 'environments',
      name: 'gone',
    });
    await eventually(
      async () =>
        story.environment('gone').then(
          () => undefined,
          () => true,
        ),
      { timeoutMs: 60_000, message: 'the Environment gone' },
    );
    await eventually(
      async () =>
        core.readNamespacedConfigMap({ name: 'a', namespace: ns }).then(
          () => undefined,
          () => true,
        ),
      { timeoutMs: 30_000, message: 'its own ConfigMap a deleted' },
    );
    assert.equal(
      await crdExists(`widgets.${groups.gone}`).then((c) => Boolean(c?.metadata?.deletionTimestamp) || !c),
      true,
      'its CRD deleted',
    );
    const b = await core.readNamespacedConfigMap({ name: 'b', namespace: ns });
    assert.deepEqual(b.data, { mine: 'yes' }, 'the ConfigMap someone else made is left in place');
    const events = await core.listNamespacedEvent({
      namespace: story.ns,
      fieldSelector: 'involvedObject.name=gone,reason=DeletionSkipped',
    });
    assert.equal(events.items.length, 1);
    assert.match(
      events.items[0]!.message!,
      new RegExp(
        `left 1 managed objects in place: ConfigMap ${ns}/b is not owned by this Environment \\(it has no keelson.dev/owner annotation\\)`,
      ),
    );

    // Created again while its CRD's group is no longer served: it syncs (no stale discovery).
    await deleteCrd(`widgets.${groups.gone}`).catch(() => undefined);
    await story.create('Environment', 'gone', {
      sourceRef: { name: 'deploy' },
      environment: 'gone',
      targetNamespace: ns,
      sync: { automated: { prune: true } },
      deletionPolicy: 'Delete',
    });
    const again = await story.until('gone', 'the new gone synced', syncedAndHealthy, { timeoutMs: 60_000 });
    assert.doesNotMatch(readyMessage(again), /JSON/);
    assert.ok(await crdExists(`widgets.${groups.gone}`), 'its CRD applied again');
  });

  it('refuses to prune everything for an empty desired state, and every part of status says so', async () => {
    const empty = await story.repo.commit(crdRepo(groups, 'v4', false, true), 'dev renders nothing');
    await story.refresh();
    const env = await story.until(
      'dev',
      'the refusal in status',
      (e) =>
        e.status?.sync?.revision?.endsWith(empty) === true &&
        e.status.conditions?.some((c) => c.type === 'Synced' && c.reason === 'PruneRefused') === true,
      { timeoutMs: 60_000 },
    );
    const conditions = new Map(env.status!.conditions!.map((c) => [c.type, c]));
    assert.equal(conditions.get('Synced')!.status, 'False');
    assert.equal(conditions.get('Stalled')!.status, 'True');
    assert.equal(conditions.get('Ready')!.status, 'False');
    assert.match(conditions.get('Ready')!.message, /refusing to prune all 1 managed objects/);
    assert.equal(env.status!.sync!.status, 'OutOfSync');
    assert.deepEqual(
      env.status!.apps!.map((a) => `${a.name}:${a.sync}`),
      ['dev:OutOfSync'],
    );
    assert.match(env.status!.resources!.find((r) => r.name === 'settings')!.message!, /refuses to prune everything/);
    assert.equal(
      (await core.readNamespacedConfigMap({ name: 'settings', namespace: story.targets.dev! })).data?.version,
      'v3',
      'nothing was deleted',
    );
    const events = await core.listNamespacedEvent({
      namespace: story.ns,
      fieldSelector: 'involvedObject.name=dev,reason=PruneRefused',
    });
    assert.equal(events.items.length, 1);
  });
});
