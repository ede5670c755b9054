// Invalid sync annotations in the deploy repository (a wave of "1.5", a hook phase "PreSnyc"):
// the operator applies nothing, says Synced=False with reason InvalidAnnotation naming every
// object, records one Warning event, and does not retry in a loop; a commit that fixes them
// syncs. Before, the error was retried with backoff forever, naming only the first object.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);

const main = (wave: string, phase: string) => `import { App, defineEnvironments } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-27';
export default defineEnvironments({
  dev: (env) => {
    const app = new App(env, 'web');
    new kplus.ConfigMap(app, 'a', { metadata: { name: 'wavy', annotations: { 'keelson.dev/sync-wave': '${wave}' } } });
    new kplus.ConfigMap(app, 'b', { metadata: { name: 'plain' } });
    new kplus.Job(app, 'j', { metadata: { name: 'migrate', annotations: { 'keelson.dev/hook': '${phase}' } },
      containers: [{ image: 'busybox:1.36', command: ['true'] }] });
  },
});
`;

describe('invalid sync annotations', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;

  before(async () => {
    await story.setUp({
      prefix: 'bad-annotations',
      files: { 'main.ts': main('1.5', 'PreSnyc') },
      environments: { dev: { sync: { automated: { prune: true } } } },
    });
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

  it('stall the sync with Synced=False InvalidAnnotation naming every object, one event, nothing applied', async () => {
    const env = await story.until(
      'dev',
      'Synced=False InvalidAnnotation',
      (e) =>
        e.status?.conditions?.some(
          (c) => c.type === 'Synced' && c.status === 'False' && c.reason === 'InvalidAnnotation',
        ) ?? false,
      { timeoutMs: 60_000 },
    );
    const synced = env.status!.conditions!.find((c) => c.type === 'Synced')!;
    assert.match(synced.message, /wavy.*keelson\.dev\/sync-wave: "1\.5" is not valid/);
    assert.match(synced.message, /migrate.*keelson\.dev\/hook: "PreSnyc" is not valid/);
    const configMaps = (await core.listNamespacedConfigMap({ namespace: story.targets.dev! })).items.map(
      (c) => c.metadata?.name,
    );
    assert.deepEqual(
      configMaps.filter((n) => n === 'wavy' || n === 'plain'),
      [],
      'nothing applied',
    );
    await new Promise((r) => setTimeout(r, 3000));
    const events = (await core.listNamespacedEvent({ namespace: story.ns })).items.filter(
      (e) => e.reason === 'InvalidAnnotation',
    );
    assert.equal(events.length, 1, 'one event');
    assert.ok((events[0]!.count ?? 1) <= 2, `not retried in a loop (count ${events[0]!.count})`);
  });

  it('a commit that fixes them syncs', async () => {
    await story.repo.commit({ 'main.ts': main('1', 'PreSync') }, 'fix the annotations');
    await story.refresh();
    await story.until(
      'dev',
      'dev Synced',
      (e) => e.status?.sync?.status === 'Synced' && e.status.operation?.phase === 'Succeeded',
      { timeoutMs: 60_000 },
    );
    assert.ok(await core.readNamespacedConfigMap({ namespace: story.targets.dev!, name: 'wavy' }));
  });
});
