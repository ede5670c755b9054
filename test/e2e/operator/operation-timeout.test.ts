// Environment.spec.timeout, the time limit of one sync operation, hooks included: a PreSync hook
// Job that never finishes fails the operation of an Environment with `timeout: 5s` within
// seconds, while the same hook of an Environment left at the default (10m) is still waited for.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { hookedDeployRepo } from '../../harness/hooked-deploy-repo.ts';
import { loadKubeConfig } from '../../harness/kube.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { Story } from '../../harness/story.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);

describe('spec.timeout', () => {
  const story = new Story(kc);
  let operator: OperatorProcess;

  before(async () => {
    // The hook's pod completes after an hour (kwok): within this test it never finishes.
    const automated = { sync: { automated: { prune: true } }, retry: { limit: 0 } };
    await story.setUp({
      prefix: 'optimeout',
      files: hookedDeployRepo('v1', 3600, ['short', 'standard']),
      environments: { short: { ...automated, timeout: '5s' }, standard: automated },
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

  it('fails an operation whose hook Job never finishes after spec.timeout, not after the default 10 minutes', async () => {
    const failed = await story.until('short', 'the operation failed at its 5 s timeout', (e) =>
      ['Failed', 'Succeeded'].includes(e.status?.operation?.phase ?? ''),
    );
    const op = failed.status!.operation!;
    assert.equal(op.phase, 'Failed', op.message);
    assert.match(op.message ?? '', /did not finish within 5 s/);
    const seconds = (Date.parse(op.finishedAt!) - Date.parse(op.startedAt)) / 1000;
    assert.ok(seconds >= 5 && seconds < 30, `the operation ended ${seconds} s after it started`);
    const hook = op.tasks!.find((t) => t.phase === 'PreSync');
    assert.ok(['Failed', 'Skipped'].includes(hook?.status ?? ''), `the hook was cut off: ${JSON.stringify(op.tasks)}`);
    assert.equal(
      (await core.listNamespacedConfigMap({ namespace: story.targets.short! })).items.some(
        (c) => c.metadata?.name === 'settings',
      ),
      false,
      'nothing after the hook was applied',
    );

    // The same hook under the default limit: still waited for, twice as long as the short limit.
    const standard = await story.until('standard', 'the default-limit operation running for 10 s', (e) => {
      const running = e.status?.operation;
      if (running?.phase !== 'Running') return running?.phase !== undefined;
      return Date.now() - Date.parse(running.startedAt) > 10_000;
    });
    assert.equal(standard.status?.operation?.phase, 'Running', standard.status?.operation?.message);
    assert.match(standard.status?.operation?.message ?? '', /PreSync/);
  });
});
