// Environment spec fields that no other end-to-end test shows the operator honouring, each on an
// Environment of its own under one operator process: spec.path (the app in a subfolder),
// spec.suspend (nothing applied until resumed), spec.sync.ignoreDifferences (each part of a rule
// narrows what it matches) and spec.historyLimit (status.history keeps that many).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';
import type { EnvironmentResource } from '../../../operator/src/adapters/kubernetes/keelson-resources.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** Root app: ConfigMaps `settings` and `other` for every environment but `subdir`, which only sub/ defines. */
function deployRepo(version: string): Record<string, string> {
  return {
    'main.ts': `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Settings extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    for (const id of ['settings', 'other'])
      new ApiObject(this, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id }, data: { version: '${version}', note: 'from git' } });
  }
}

const make = (env: any) => { new Settings(env, 'settings'); };
export default defineEnvironments({ suspended: make, ignore: make, history: make });
`,
    'sub/main.ts': `import { ApiObject } from 'cdk8s';
import { App, defineEnvironments } from '@keelson/cdk8s-app';

class Sub extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    new ApiObject(this, 'from-sub', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-sub' }, data: { version: '${version}' } });
  }
}

export default defineEnvironments({ subdir: (env) => { new Sub(env, 'sub'); } });
`,
  };
}

const succeeded = (commit?: string) => (e: EnvironmentResource) =>
  e.status?.operation?.phase === 'Succeeded' &&
  (commit === undefined || commitOf(e.status.operation.revision) === commit);

describe('Environment spec fields, honoured by the operator', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;
  const automated = { sync: { automated: { prune: true } } };
  const configMap = async (env: string, name: string) =>
    core.readNamespacedConfigMap({ name, namespace: story.targets[env]! }).then(
      (c) => c,
      () => undefined,
    );

  before(async () => {
    await story.setUp({
      prefix: 'envspec',
      files: deployRepo('v1'),
      environments: {
        subdir: { ...automated, path: 'sub' },
        suspended: { ...automated, suspend: true },
        history: { ...automated, historyLimit: 1 },
        ignore: {}, // spec.sync set below, once the target namespace is known
      },
    });
    const target = story.targets.ignore!;
    const note = ['/data/note'];
    await story.custom.patchNamespacedCustomObject(
      {
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: story.ns,
        plural: 'environments',
        name: 'ignore',
        body: {
          spec: {
            sync: {
              automated: { prune: true, selfHeal: true },
              ignoreDifferences: [
                // The rule that matches: core group, kind, name and namespace of `settings`.
                { group: '', kind: 'ConfigMap', name: 'settings', namespace: target, jsonPointers: note },
                // Rules that must not match `other`: each differs from it in one part only.
                { group: 'apps', kind: 'ConfigMap', name: 'other', jsonPointers: note },
                { kind: 'Secret', name: 'other', jsonPointers: note },
                { kind: 'ConfigMap', name: 'other', namespace: 'elsewhere', jsonPointers: note },
              ],
            },
          },
        },
      },
      mergePatch,
    );
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
    await operator.start();
  });
  after(async () => {
    await operator?.stop();
    await story.tearDown();
  });

  it('spec.path: synthesizes the app in that folder of the repository', async () => {
    const env = await story.until('subdir', 'subdir synced', succeeded());
    assert.equal((await configMap('subdir', 'from-sub'))?.data?.version, 'v1', env.status?.operation?.message);
    assert.equal(await configMap('subdir', 'settings'), undefined, 'the root app is not this environment');
  });

  it('spec.suspend: applies nothing while suspended, and syncs once resumed', async () => {
    await story.until('history', 'another environment synced', succeeded());
    await story.until('subdir', 'another environment synced', succeeded());
    const suspended = await story.environment('suspended');
    assert.equal(suspended.status?.operation, undefined, 'no operation while suspended');
    assert.equal(await configMap('suspended', 'settings'), undefined, 'nothing applied while suspended');
    await story.custom.patchNamespacedCustomObject(
      {
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: story.ns,
        plural: 'environments',
        name: 'suspended',
        body: { spec: { suspend: false } },
      },
      mergePatch,
    );
    await story.until('suspended', 'synced once resumed', succeeded());
    assert.equal((await configMap('suspended', 'settings'))?.data?.version, 'v1');
  });

  it('spec.sync.ignoreDifferences: a hand edit of an ignored field stays, the same edit elsewhere is healed', async () => {
    await story.until('ignore', 'ignore synced', succeeded());
    const ns = story.targets.ignore!;
    for (const name of ['settings', 'other'])
      await core.patchNamespacedConfigMap({ name, namespace: ns, body: { data: { note: 'by hand' } } }, mergePatch);
    await eventually(async () => (await configMap('ignore', 'other'))?.data?.note === 'from git', {
      timeoutMs: 30_000,
      message: 'the edit of `other`, which no rule matches, healed',
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal((await configMap('ignore', 'settings'))?.data?.note, 'by hand', 'the ignored field was left alone');
    const env = await story.until('ignore', 'Synced', (e) => e.status?.sync?.status === 'Synced');
    assert.equal(env.status?.resources?.find((r) => r.name === 'settings')?.sync, 'Synced');
    // Not a blanket ignore of the object: a field no pointer names is still healed.
    await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: ns, body: { data: { version: 'by hand' } } },
      mergePatch,
    );
    await eventually(async () => (await configMap('ignore', 'settings'))?.data?.version === 'v1', {
      timeoutMs: 30_000,
      message: 'a field of `settings` no pointer names healed',
    });
  });

  it('spec.historyLimit: status.history keeps only that many finished syncs', async () => {
    const first = await story.until('history', 'v1 synced', succeeded());
    assert.equal(first.status?.history?.length, 1);
    const commit = await story.repo.commit(deployRepo('v2'), 'v2');
    await story.refresh();
    const second = await story.until('history', 'v2 synced', succeeded(commit));
    assert.equal(second.status?.history?.length, 1, JSON.stringify(second.status?.history));
    assert.equal(commitOf(second.status!.history![0]!.revision), commit);
    // The same two syncs under the default limit (10) are both kept.
    const other = await story.until('subdir', 'subdir synced v2', succeeded(commit));
    assert.equal(other.status?.history?.length, 2, JSON.stringify(other.status?.history));
  });
});
