// Notifications end to end: the real operator, the real control plane, and a loopback server
// that answers as Telegram, Slack, Teams, a webhook and GitHub do. Each provider is told of a
// dev sync once, with the revision and the UI's link; a 429 waits its Retry-After; prod waiting
// for a manual sync is told; a GitHub deployment whose create lost its answer is not created
// twice; a restart sends nothing twice; a failed sync names the object;
// and no token or secret URL leaks into logs, events, status or metrics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { ChatProviders } from '../../harness/chat-providers.ts';
import { eventually, loadKubeConfig } from '../../harness/kube.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { OperatorProcess as Operator } from '../../harness/operator-process.ts';
import { commitOf, Story } from '../../harness/story.ts';
import { planRollback } from '../../../operator/src/core/environment/sync-request.ts';
import { createNotification, createSecret, listNotifications, webRepo } from './notify-fixtures.ts';

const kc = loadKubeConfig();
const TOKENS = { telegram: '123456:TELEGRAMtokenE2E', slack: 'xoxb-SLACKtokenE2E', github: 'ghp_GITHUBtokenE2E' };
const HMAC_KEY = 'HMACkeyE2Ewebhook';
const SLACK_HOOK = '/slack/services/T0/B0/SLACKhookSECRETpath';
const TEAMS_HOOK = '/teams/workflows/wf1?sig=TEAMSsecretSIG';
const SECRETS = [...Object.values(TOKENS), HMAC_KEY, 'SLACKhookSECRETpath', 'TEAMSsecretSIG'];
const UI = 'https://keelson.example';
const ENVIRONMENTS = { group: 'keelson.dev', version: 'v1alpha1', plural: 'environments' };

describe('notifications to every provider', () => {
  const story = new Story(kc);
  let providers: ChatProviders;
  let operator: OperatorProcess;
  let firstCommit = '';

  const start = async () => {
    operator = new Operator({
      kubeconfig: process.env.KUBECONFIG!,
      args: [`--namespaces=${story.namespaces.join(',')}`, `--ui-url=${UI}`],
      cacheDir: operator?.cacheDir,
    });
    await operator.start();
  };
  /** The requests to `prefix` about the commit (in the text, the body or the URL). */
  const about = (prefix: string, commit: string) =>
    providers.to(prefix).filter((r) => `${r.path}${r.raw}`.includes(commit));

  before(async () => {
    providers = await ChatProviders.start(TOKENS);
    await story.setUp({
      prefix: 'notify',
      files: webRepo('1'),
      environments: { dev: { sync: { automated: { prune: true } }, retry: { limit: 0 } }, prod: {} },
    });
    for (const env of ['dev', 'prod'])
      await story.custom.patchNamespacedCustomObject(
        {
          group: 'keelson.dev',
          version: 'v1alpha1',
          namespace: story.ns,
          plural: 'environments',
          name: env,
          body: { metadata: { labels: { team: 'shop' } } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    await createSecret(story, 'telegram', { token: TOKENS.telegram });
    await createSecret(story, 'slack-hook', { address: `${providers.url}${SLACK_HOOK}` });
    await createSecret(story, 'slack-bot', { token: TOKENS.slack });
    await createSecret(story, 'teams', { address: `${providers.url}${TEAMS_HOOK}` });
    await createSecret(story, 'webhook', { token: HMAC_KEY });
    await createSecret(story, 'github', { token: TOKENS.github });
    const dev = { names: ['dev'] };
    const telegram = {
      type: 'telegram',
      address: `${providers.url}/telegram`,
      channel: '-100123',
      secretRef: { name: 'telegram' },
    };
    await createNotification(story, 'telegram', {
      environments: dev,
      triggers: ['SyncSucceeded', 'SyncFailed'],
      provider: telegram,
    });
    await createNotification(story, 'slack-hook', {
      environments: dev,
      triggers: ['SyncSucceeded'],
      provider: { type: 'slack', secretRef: { name: 'slack-hook' } },
      templates: { SyncSucceeded: '{{environment}} is at {{shortCommit}} ({{result}}) {{url}}' },
    });
    await createNotification(story, 'slack-bot', {
      environments: dev,
      triggers: ['SyncSucceeded'],
      provider: {
        type: 'slack',
        address: `${providers.url}/slack/api`,
        channel: '#deploys',
        secretRef: { name: 'slack-bot' },
      },
    });
    await createNotification(story, 'teams', {
      environments: dev,
      triggers: ['SyncSucceeded'],
      provider: { type: 'teams', secretRef: { name: 'teams' } },
    });
    await createNotification(story, 'webhook', {
      environments: { matchLabels: { team: 'shop' } },
      provider: { type: 'webhook', address: `${providers.url}/webhook/shop`, secretRef: { name: 'webhook' } },
    });
    for (const type of ['github', 'githubDeployment'])
      await createNotification(story, type.toLowerCase(), {
        environments: dev,
        triggers: ['SyncSucceeded'],
        provider: {
          type,
          address: `${providers.url}/github`,
          repository: 'acme/deploy',
          secretRef: { name: 'github' },
        },
      });
    // GitHub creates the first deployment but its answer is lost.
    providers.script('/github/repos/acme/deploy/deployments', [{ status: 502, processed: true }], 'POST');
    // Telegram throttles the first message.
    providers.script('/telegram/', [
      {
        status: 429,
        headers: { 'retry-after': '2' },
        body: { ok: false, error_code: 429, parameters: { retry_after: 2 } },
      },
    ]);
    await start();
    const env = await story.until('dev', 'the first sync done', (e) => e.status?.operation?.phase === 'Succeeded');
    firstCommit = commitOf(env.status!.operation!.revision)!;
  });
  after(async () => {
    await operator?.kill();
    await providers?.stop();
    await story.tearDown();
  });

  it('tells every provider of the dev sync once, with the environment, the revision and the UI link', async () => {
    const link = `${UI}/ui/environments/${story.ns}/dev`;
    const routes = ['/telegram/', SLACK_HOOK, '/slack/api/', '/teams/', '/github/repos/acme/deploy/statuses/'];
    await eventually(async () => routes.every((r) => about(r, firstCommit.slice(0, 7)).length > 0) || undefined, {
      timeoutMs: 30_000,
      message: `a message on each of ${routes.join(', ')}`,
    });
    const telegram = about('/telegram/', firstCommit).filter((r) => r.body.text !== undefined);
    assert.equal(telegram.at(-1)!.body.chat_id, '-100123');
    assert.match(
      String(telegram.at(-1)!.body.text),
      new RegExp(`✅ ${story.ns}/dev: sync of main@sha1:${firstCommit} succeeded`),
    );
    assert.ok(String(telegram.at(-1)!.body.text).endsWith(link));
    assert.deepEqual(
      providers.to(SLACK_HOOK).map((r) => r.body.text),
      [`dev is at ${firstCommit.slice(0, 7)} (succeeded) ${link}`],
    );
    const bot = providers.to('/slack/api/');
    assert.equal(bot.length, 1);
    assert.equal(bot[0]!.body.channel, '#deploys');
    const card = (providers.to('/teams/')[0]!.body.attachments as { content: { body: { text: string }[] } }[])[0]!;
    assert.match(card.content.body[0]!.text, /sync of .* succeeded/);
    const status = providers.to('/github/repos/acme/deploy/statuses/');
    assert.deepEqual(
      status.map((r) => [r.path.split('/').at(-1), r.body.state, r.body.context, r.body.target_url]),
      [[firstCommit, 'success', 'keelson/dev', link]],
    );
    const deployment = await eventually(async () => providers.to('/github/repos/acme/deploy/deployments/')[0], {
      timeoutMs: 20_000,
      message: 'a deployment status',
    });
    assert.equal(deployment.body.state, 'success');
    // The answer to the create was lost (a 502 after it landed): the retry found it, no second one.
    const created = providers.deployments.filter((d) => d.sha === firstCommit);
    assert.deepEqual(
      created.map((d) => [d.environment, d.task]),
      [['dev', 'deploy:keelson']],
    );
    assert.equal(deployment.path, `/github/repos/acme/deploy/deployments/${created[0]!.id}/statuses`);
  });

  it("Telegram's 429 is retried after its Retry-After, and delivered once", async () => {
    const sent = await eventually(
      async () => (providers.to('/telegram/').length >= 2 ? providers.to('/telegram/') : undefined),
      {
        timeoutMs: 15_000,
        message: 'the retry of the throttled message',
      },
    );
    assert.ok(sent[1]!.at - sent[0]!.at >= 1900, `retried after ${sent[1]!.at - sent[0]!.at} ms, not 2 s`);
    assert.equal(sent[1]!.raw, sent[0]!.raw, 'the same message again');
  });

  it('prod waiting for a manual sync is told to the label-selected webhook, signed with HMAC-SHA256', async () => {
    const hook = await eventually(
      async () => providers.to('/webhook/shop').find((r) => r.body.trigger === 'ManualSyncPending'),
      { timeoutMs: 30_000, message: 'ManualSyncPending of prod' },
    );
    assert.equal(hook.body.environment, 'prod');
    assert.equal(hook.body.namespace, story.ns);
    assert.match(String(hook.body.text), /waits for a sync \(nothing is deployed yet\)/);
    const expected = `sha256=${createHmac('sha256', HMAC_KEY).update(hook.raw).digest('hex')}`;
    assert.equal(hook.headers['x-keelson-signature-256'], expected);
    assert.ok(
      providers.to('/webhook/shop').some((r) => r.body.trigger === 'SyncSucceeded' && r.body.environment === 'dev'),
    );
  });

  it('a restarted operator sends nothing twice, and tells the next sync', async () => {
    // What was delivered is recorded right after it (a kill in between sends it again: at least once).
    const recorded = { telegram: 1, 'slack-hook': 1, 'slack-bot': 1, teams: 1, webhook: 2, github: 1 };
    await eventually(
      async () => {
        const all = await listNotifications(story);
        const sent = (name: string) =>
          all.find((n) => n.metadata.name === name)?.status?.deliveries?.filter((d) => d.result === 'Sent').length ?? 0;
        return Object.entries(recorded).every(([name, count]) => sent(name) >= count) || undefined;
      },
      { timeoutMs: 15_000, message: `deliveries recorded: ${JSON.stringify(recorded)}` },
    );
    await operator.kill();
    const second = await story.repo.commit(webRepo('2'), 'web 2');
    await start();
    await story.refresh();
    await story.until(
      'dev',
      'web 2 synced',
      (e) => commitOf(e.status?.operation?.revision) === second && e.status?.operation?.phase === 'Succeeded',
    );
    await eventually(async () => about('/slack/api/', second.slice(0, 7)).length === 1 || undefined, {
      timeoutMs: 30_000,
      message: 'the second sync on Slack',
    });
    await eventually(async () => about('/telegram/', second).length === 1 || undefined, {
      timeoutMs: 10_000,
      message: 'telegram',
    });
    for (const route of [SLACK_HOOK, '/slack/api/', '/teams/', '/github/repos/acme/deploy/statuses/'])
      assert.equal(about(route, firstCommit.slice(0, 7)).length, 1, `${route}: the first sync told once`);
    assert.equal(about('/telegram/', firstCommit).length, 2, 'Telegram: the throttled attempt and its one retry');
    const devSyncs = providers.to('/webhook/shop').filter((r) => r.body.trigger === 'SyncSucceeded');
    assert.equal(new Set(devSyncs.map((r) => r.body.revision)).size, devSyncs.length, 'one webhook call per sync');
    const pending = providers.to('/webhook/shop').filter((r) => r.body.trigger === 'ManualSyncPending');
    assert.deepEqual(
      pending.map((r) => r.body.revision),
      [...new Set(pending.map((r) => r.body.revision))],
      'one ManualSyncPending per revision',
    );
    const statuses = await listNotifications(story);
    const slack = statuses.find((n) => n.metadata.name === 'slack-bot')!;
    assert.deepEqual(
      slack.status!.deliveries!.map((d) => `${d.trigger}:${d.result}`),
      ['SyncSucceeded:Sent', 'SyncSucceeded:Sent'],
    );
  });

  it('a failed sync is told naming the object and the API server’s words', async () => {
    const broken = await story.repo.commit(webRepo('3', { app: 'web', tier: 'front' }), 'a new selector');
    await story.refresh();
    await story.until(
      'dev',
      'the sync failed',
      (e) => commitOf(e.status?.operation?.revision) === broken && e.status?.operation?.phase === 'Failed',
    );
    const failed = await eventually(
      async () => about('/telegram/', broken).find((r) => String(r.body.text).startsWith('❌')),
      { timeoutMs: 30_000, message: 'SyncFailed on Telegram' },
    );
    assert.match(String(failed.body.text), /Deployment [^ ]+\/web: .*field is immutable/);
  });

  it('a rollback is told as RolledBack, not as a sync that succeeded', async () => {
    const dev = await story.environment('dev');
    const { target, annotations } = planRollback(dev.status!.history!, undefined, 'alice', new Date().toISOString());
    assert.equal(commitOf(target.revision), firstCommit, 'back to web 1');
    await story.custom.patchNamespacedCustomObject(
      { ...ENVIRONMENTS, namespace: story.ns, name: 'dev', body: { metadata: { annotations } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const told = await eventually(
      async () => providers.to('/webhook/shop').find((r) => r.body.trigger === 'RolledBack'),
      { timeoutMs: 60_000, message: 'RolledBack on the webhook' },
    );
    assert.equal(told.body.environment, 'dev');
    assert.equal(told.body.commit, firstCommit);
    assert.equal(told.body.initiatedBy, 'alice');
    assert.match(
      String(told.body.text),
      new RegExp(`↩️ ${story.ns}/dev rolled back to main@sha1:${firstCommit} \\(by alice\\)`),
    );
    assert.equal(providers.to('/slack/api/').length, 2, 'no SyncSucceeded for the rollback');
  });

  it('no token or secret URL appears in the logs, events, statuses or metrics', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const events = await core.listNamespacedEvent({ namespace: story.ns });
    const metrics = await operator.metrics();
    assert.match(metrics, /keelson_notifications_total\{[^}]*provider="telegram"[^}]*result="sent"\} [1-9]/);
    const places = {
      logs: operator.logs(),
      events: JSON.stringify(events.items),
      notifications: JSON.stringify(await listNotifications(story)),
      environments: JSON.stringify([await story.environment('dev'), await story.environment('prod')]),
      metrics,
    };
    assert.ok(places.logs.includes('notification sent'), 'the log tells the deliveries');
    for (const [where, text] of Object.entries(places))
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} holds ${secret}`);
  });
});
