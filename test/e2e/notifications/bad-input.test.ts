// Notifications that cannot deliver never hold the Environment: an unknown provider, a missing
// Secret, a refused token and a provider that never answers are each told on the
// Notification's Ready condition (or its deliveries and metrics) while dev syncs as usual; a
// template error is refused by the API server at apply time; a suspended Notification sends
// nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { ChatProviders } from '../../harness/chat-providers.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';
import { createNotification, createSecret, getNotification, readyOf, webRepo } from './notify-fixtures.ts';

const kc = loadKubeConfig();
const TOKENS = { telegram: '99:RIGHTtelegramTOKEN', slack: 'xoxb-unused', github: 'ghp-unused' };

describe('notifications that cannot deliver', () => {
  const story = new Story(kc);
  let providers: ChatProviders;
  let operator: OperatorProcess;
  let commit = '';
  const dev = { names: ['dev'] };
  const telegram = (secret: string) => ({
    type: 'telegram',
    address: `${providers.url}/telegram`,
    channel: '7',
    secretRef: { name: secret },
  });
  const ready = (name: string, reason: string) =>
    eventually(
      async () => {
        const n = await getNotification(story, name);
        return readyOf(n).reason === reason ? n : undefined;
      },
      { timeoutMs: 45_000, message: `${name}: Ready with reason ${reason}` },
    );

  before(async () => {
    providers = await ChatProviders.start(TOKENS);
    providers.hang('/webhook/down');
    await story.setUp({
      prefix: 'notify-bad',
      files: webRepo('1'),
      environments: { dev: { sync: { automated: { prune: true } } } },
    });
    await createSecret(story, 'wrong-token', { token: '99:WRONGtelegramTOKEN' });
    await createSecret(story, 'hook', { address: `${providers.url}/slack/services/ok` });
    await createNotification(story, 'unknown', { environments: dev, provider: { type: 'pager' } });
    await createNotification(story, 'no-secret', { environments: dev, provider: telegram('telegram-later') });
    await createNotification(story, 'refused', { environments: dev, provider: telegram('wrong-token') });
    await createNotification(story, 'down', {
      environments: dev,
      provider: { type: 'webhook', address: `${providers.url}/webhook/down` },
    });
    await createNotification(story, 'healthy', {
      environments: dev,
      triggers: ['SyncSucceeded'],
      provider: { type: 'slack', secretRef: { name: 'hook' } },
    });
    await createNotification(story, 'suspended', {
      environments: dev,
      suspend: true,
      provider: { type: 'slack', address: `${providers.url}/slack/services/suspended` },
    });
    operator = await story.startOperator();
    const env = await story.until('dev', 'the first sync done', (e) => e.status?.operation?.phase === 'Succeeded');
    commit = commitOf(env.status!.operation!.revision)!;
  });
  after(async () => {
    await operator?.kill();
    await providers?.stop();
    await story.tearDown();
  });

  it('an unknown provider: Ready=False UnknownProvider, and the Environment syncs all the same', async () => {
    const n = await ready('unknown', 'UnknownProvider');
    assert.equal(readyOf(n).status, 'False');
    assert.match(readyOf(n).message!, /no provider "pager"/);
    assert.ok(commit, 'dev synced');
  });

  it('a provider that never answers slows neither the sync nor the other Notifications', async () => {
    await eventually(async () => providers.to('/webhook/down').length > 0 || undefined, {
      timeoutMs: 30_000,
      message: 'the hanging webhook was called',
    });
    await eventually(
      async () => providers.to('/slack/services/ok').some((r) => String(r.body.text).includes(commit)) || undefined,
      {
        timeoutMs: 30_000,
        message: 'the healthy Notification delivered meanwhile',
      },
    );
    const next = await story.repo.commit(webRepo('2'), 'web 2');
    await story.refresh();
    await story.until(
      'dev',
      'web 2 synced while the webhook hangs',
      (e) => commitOf(e.status?.operation?.revision) === next && e.status?.operation?.phase === 'Succeeded',
      { timeoutMs: 30_000 },
    );
  });

  it('a missing Secret: Ready=False SecretNotFound until it exists, then the sync is told', async () => {
    const n = await ready('no-secret', 'SecretNotFound');
    assert.match(readyOf(n).message!, /Secret "telegram-later" named by spec.provider.secretRef does not exist/);
    assert.equal(providers.to(`/telegram/bot${TOKENS.telegram}`).length, 0);
    await createSecret(story, 'telegram-later', { token: TOKENS.telegram });
    await ready('no-secret', 'Succeeded');
    await eventually(
      async () =>
        providers.to(`/telegram/bot${TOKENS.telegram}/`).find((r) => String(r.body.text).includes('succeeded')),
      { timeoutMs: 15_000, message: 'the sync told on Telegram once the Secret exists' },
    );
  });

  it('a refused token: the delivery is Failed in status, Ready=False DeliveryFailed, and counted', async () => {
    const n = await ready('refused', 'DeliveryFailed');
    assert.match(readyOf(n).message!, /HTTP 401/);
    const failed = n.status!.deliveries!.find((d) => d.result === 'Failed')!;
    assert.equal(failed.attempts, 1, 'a 401 is not retried');
    assert.match(
      await operator.metrics(),
      new RegExp(
        'keelson_notifications_total\\{namespace="[^"]+",name="refused",provider="telegram",' +
          'trigger="SyncSucceeded",result="failed"\\} [1-9]',
      ),
    );
  });

  it('spec.suspend: a suspended Notification sends nothing', async () => {
    await ready('healthy', 'Succeeded');
    assert.equal(providers.to('/slack/services/suspended').length, 0);
    assert.ok(providers.to('/slack/services/ok').length >= 2, 'the same syncs were told to the one not suspended');
  });

  it('a template naming an unknown variable or trigger is refused at apply time, naming the field', async () => {
    for (const [templates, pattern] of [
      [{ SyncSucceeded: 'deployed {{ password }}' }, /spec\.templates\[SyncSucceeded\]: .*a template names only/],
      [{ SyncSucceeded: 'deployed {{ environment' }, /spec\.templates\[SyncSucceeded\]/],
      [{ Deployed: 'hi' }, /spec\.templates: .*keys are trigger names/],
    ] as const) {
      const err = await createNotification(story, 'bad-template', {
        environments: dev,
        provider: { type: 'slack', address: `${providers.url}/slack/services/x` },
        templates,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof k8s.ApiException, `refused: ${JSON.stringify(templates)}`);
      assert.equal(err.code, 422);
      assert.match(String(err.body), pattern);
    }
  });
});
