// A sync that fails, and fails again on every retry, told the same way by every part of the
// Environment: a Deployment whose selector changed (an immutable field) is OutOfSync with the
// API server's words, its app and the Environment are OutOfSync, Ready and Synced say the sync
// failed, and each failed attempt is counted by the SyncFailed event.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);

/** One Deployment whose selector (immutable once created) has the labels in `selector`. */
function webRepo(selector: Record<string, string>): Record<string, string> {
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
        spec: { containers: [{ name: 'web', image: 'registry.example/web:1' }] } } },
    } as any);
  }
}

export default defineEnvironments({ dev: (env) => { new Web(env, 'web'); } });
`,
  };
}

describe('a failed sync, retried, told by every part of status', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;

  before(async () => {
    await story.setUp({
      prefix: 'failed',
      files: webRepo({ app: 'web' }),
      environments: {
        dev: { sync: { automated: { prune: true } }, retry: { limit: 2, backoff: { duration: '1s', factor: 1 } } },
      },
    });
    operator = new OperatorProcess({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`],
    });
    await operator.start();
    await story.until('dev', 'the first sync done', (e) => e.status?.operation?.phase === 'Succeeded');
  });
  after(async () => {
    await operator?.kill();
    await story.tearDown();
  });

  it("an immutable field changed: OutOfSync with the server's words, the sync failed three times, three counted SyncFailed events", async () => {
    const commit = await story.repo.commit(webRepo({ app: 'web', tier: 'front' }), 'a new selector');
    await story.refresh();
    const env = await story.until(
      'dev',
      'the last retry failed',
      (e) =>
        commitOf(e.status?.operation?.revision) === commit &&
        e.status?.operation?.phase === 'Failed' &&
        e.status.operation.retryCount === 2,
      { timeoutMs: 60_000 },
    );
    const s = env.status!;
    assert.match(s.operation!.message!, /field is immutable/);
    assert.equal(s.sync!.status, 'OutOfSync');
    const web = s.resources!.find((r) => r.kind === 'Deployment' && r.name === 'web')!;
    assert.equal(web.sync, 'OutOfSync');
    assert.match(web.message!, /field is immutable/);
    assert.deepEqual(
      s.apps!.map((a) => `${a.name}:${a.sync}`),
      ['web:OutOfSync'],
    );
    const conditions = new Map(s.conditions!.map((c) => [c.type, c]));
    assert.equal(conditions.get('Synced')!.reason, 'SyncFailed');
    assert.equal(conditions.get('Ready')!.status, 'False');
    assert.equal(conditions.get('Ready')!.reason, 'SyncFailed');
    const failed = await eventually(
      async () => {
        const items = (
          await core.listNamespacedEvent({
            namespace: story.ns,
            fieldSelector: 'involvedObject.name=dev,reason=SyncFailed',
          })
        ).items;
        return items.length === 1 && items[0]!.count === 3 ? items : undefined;
      },
      { timeoutMs: 10_000, message: 'one SyncFailed event counting three failures' },
    );
    assert.match(failed[0]!.message!, /field is immutable/);
  });
});
