// Health and source triggers end to end: a Job whose pod fails degrades dev (HealthDegraded, told
// once), the commit that removes it makes dev Healthy again (HealthRecovered), a commit whose
// code throws is told as SourceFailed with the file and line, and so is the deploy repository's
// host refusing the fetch (once per outage).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChatProviders } from '../../harness/chat-providers.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { Story } from '../../harness/story.ts';
import { createNotification, webRepo } from './notify-fixtures.ts';

const kc = loadKubeConfig();

/** webRepo plus a Job whose pod fails (the harness's kwok stage for `test.keelson.dev/outcome: fail`). */
function withFailingJob(): Record<string, string> {
  const check = `class Check extends App {
  constructor(scope: any, name: string) {
    super(scope, name);
    new ApiObject(this, 'check', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'check' },
      spec: { backoffLimit: 0, template: { metadata: { annotations: { 'test.keelson.dev/outcome': 'fail' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'check', image: 'registry.example/check:1' }] } } },
    } as any);
  }
}

export default`;
  const main = webRepo('1')
    ['main.ts']!.replace('export default', check)
    .replace(
      "dev: (env) => { new Web(env, 'web'); }",
      "dev: (env) => { new Web(env, 'web'); new Check(env, 'check'); }",
    );
  return { 'main.ts': main };
}

describe('health and source notifications', () => {
  const story = new Story(kc);
  let providers: ChatProviders;
  let operator: OperatorProcess;

  before(async () => {
    providers = await ChatProviders.start({ telegram: 't', slack: 's', github: 'g' });
    await story.setUp({
      prefix: 'notify-health',
      files: webRepo('1'),
      environments: { dev: { sync: { automated: { prune: true } }, retry: { limit: 0 } } },
    });
    await createNotification(story, 'health', {
      environments: { names: ['dev'] },
      triggers: ['HealthDegraded', 'HealthRecovered'],
      provider: { type: 'webhook', address: `${providers.url}/webhook/health` },
    });
    await createNotification(story, 'source', {
      environments: { names: ['dev'] },
      triggers: ['SourceFailed'],
      provider: { type: 'webhook', address: `${providers.url}/webhook/source` },
    });
    operator = await story.startOperator();
    await story.until('dev', 'healthy', (e) => e.status?.health?.status === 'Healthy');
  });
  after(async () => {
    await operator?.kill();
    await providers?.stop();
    await story.tearDown();
  });

  const told = (trigger: string) => providers.to('/webhook/health').filter((r) => r.body.trigger === trigger);

  it('a failing Job degrades dev: HealthDegraded once; removing it: HealthRecovered once', async () => {
    assert.equal(told('HealthRecovered').length, 0, 'Healthy from the start is no recovery');
    await story.repo.commit(withFailingJob(), 'a failing check');
    await story.refresh();
    await story.until('dev', 'Degraded', (e) => e.status?.health?.status === 'Degraded');
    const degraded = await eventually(async () => told('HealthDegraded')[0], {
      timeoutMs: 30_000,
      message: 'HealthDegraded on the webhook',
    });
    assert.equal(degraded.body.environment, 'dev');
    assert.match(String(degraded.body.text), /is Degraded at main@sha1:/);
    await story.repo.commit(webRepo('1'), 'no check');
    await story.refresh();
    await story.until('dev', 'Healthy again', (e) => e.status?.health?.status === 'Healthy', { timeoutMs: 60_000 });
    await eventually(async () => told('HealthRecovered')[0], { timeoutMs: 30_000, message: 'HealthRecovered' });
    assert.equal(told('HealthDegraded').length, 1, 'one HealthDegraded');
    assert.equal(told('HealthRecovered').length, 1, 'one HealthRecovered');
  });

  it('a commit whose code throws is told as SourceFailed, with the reason and the line', async () => {
    const broken = webRepo('1')['main.ts']!.replace(
      'export default',
      "throw new Error('no such image');\nexport default",
    );
    await story.repo.commit({ 'main.ts': broken }, 'broken code');
    await story.refresh();
    const failed = await eventually(async () => providers.to('/webhook/source')[0], {
      timeoutMs: 60_000,
      message: 'SourceFailed on the webhook',
    });
    assert.equal(failed.body.trigger, 'SourceFailed');
    assert.equal(failed.body.result, 'synthesis failed');
    assert.match(
      String(failed.body.message),
      /^SynthesisFailed: .*main\.ts:\d+.*no such image|^SynthesisFailed: .*no such image.*main\.ts:\d+/s,
    );
  });

  const fetchFailing =
    "the GitRepository's fetch failing is told as SourceFailed once, naming it and the revision that stays";
  it(fetchFailing, async () => {
    const unavailable = () => providers.to('/webhook/source').filter((r) => r.body.result === 'source unavailable');
    await story.git.pause();
    try {
      await story.refresh();
      const failed = await eventually(async () => unavailable()[0], {
        timeoutMs: 60_000,
        message: 'SourceFailed of the fetch on the webhook',
      });
      assert.equal(failed.body.environment, 'dev');
      assert.match(
        String(failed.body.message),
        /^\w+: GitRepository deploy cannot be fetched: .*; main@sha1:[0-9a-f]{40} stays the last fetched revision$/,
      );
      // Another failed fetch of the same outage (retried meanwhile, and asked for) is not told again.
      await story.refresh();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal(unavailable().length, 1, 'one message for one outage');
    } finally {
      await story.git.resume();
    }
  });
});
