import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { messageVariables } from './messages.ts';
import {
  GITHUB_DEPLOYMENT_TASK,
  planDelivery,
  refusalOf,
  resolveProvider,
  retryAfterOf,
  signBody,
  SIGNATURE_HEADER,
} from './providers.ts';
import type { TriggerEvent } from './triggers.ts';

const event: TriggerEvent = {
  trigger: 'SyncSucceeded',
  key: 'SyncSucceeded/op1',
  environment: 'dev',
  revision: `main@sha1:${'a'.repeat(40)}`,
  result: 'succeeded',
  detail: '',
  initiatedBy: 'automated sync',
};
const vars = messageVariables(event, 'shop', 'https://keelson.example');

function resolved(spec: Parameters<typeof resolveProvider>[0], secret?: Record<string, string>) {
  const r = resolveProvider(spec, secret);
  assert.ok(r.ok, JSON.stringify(r));
  return r.provider;
}

describe('providers', () => {
  it('an unknown type is UnknownProvider, a missing token ProviderInvalid', () => {
    assert.deepEqual(
      [resolveProvider({ type: 'pager' }, undefined), resolveProvider({ type: 'telegram', channel: '1' }, {})].map(
        (r) => !r.ok && r.reason,
      ),
      ['UnknownProvider', 'ProviderInvalid'],
    );
  });

  it('telegram: sendMessage on the bot URL with chat_id and text', () => {
    const { request } = planDelivery(resolved({ type: 'telegram', channel: '42' }, { token: 'T0K' }), 'hi', vars);
    assert.equal(request.url, 'https://api.telegram.org/botT0K/sendMessage');
    assert.deepEqual(JSON.parse(request.body!), { chat_id: '42', text: 'hi' });
  });

  it('slack: the webhook from the Secret, or chat.postMessage with the bot token', () => {
    const hook = planDelivery(
      resolved({ type: 'slack' }, { address: 'https://hooks.slack.com/services/X' }),
      'hi',
      vars,
    );
    assert.equal(hook.request.url, 'https://hooks.slack.com/services/X');
    assert.deepEqual(JSON.parse(hook.request.body!), { text: 'hi' });
    const api = planDelivery(resolved({ type: 'slack', channel: '#deploys' }, { token: 'xoxb' }), 'hi', vars);
    assert.equal(api.request.url, 'https://slack.com/api/chat.postMessage');
    assert.equal(api.request.headers.authorization, 'Bearer xoxb');
    assert.equal(
      refusalOf('slack', { ok: false, error: 'channel_not_found' }),
      'slack refused the message: channel_not_found',
    );
  });

  it('teams: an Adaptive Card with the text', () => {
    const { request } = planDelivery(resolved({ type: 'teams', address: 'https://x.logic.azure.com/wf' }), 'hi', vars);
    const card = JSON.parse(request.body!).attachments[0];
    assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.content.body[0].text, 'hi');
  });

  it('webhook: the JSON body signed with HMAC-SHA256 of the Secret token', () => {
    const { request } = planDelivery(
      resolved({ type: 'webhook', address: 'https://ci.example/hook' }, { token: 'k3y' }),
      'hi',
      vars,
    );
    const expected = `sha256=${createHmac('sha256', 'k3y').update(request.body!).digest('hex')}`;
    assert.equal(request.headers[SIGNATURE_HEADER], expected);
    assert.equal(signBody(request.body!, 'k3y'), expected);
    assert.equal(JSON.parse(request.body!).environment, 'dev');
  });

  it('github: a commit status on the revision, then a deployment and its status', () => {
    const spec = { type: 'github', repository: 'acme/deploy' };
    const { request } = planDelivery(resolved(spec, { token: 'ghp' }), 'hi', vars);
    assert.equal(request.url, `https://api.github.com/repos/acme/deploy/statuses/${'a'.repeat(40)}`);
    assert.deepEqual(JSON.parse(request.body!).state, 'success');
  });

  it("githubDeployment: looks for the commit's deployment, creates it when there is none, then its status", () => {
    const spec = { type: 'githubDeployment', repository: 'acme/deploy' };
    const lookup = planDelivery(resolved(spec, { token: 'ghp' }), 'hi', vars);
    const deployments = 'https://api.github.com/repos/acme/deploy/deployments';
    assert.equal(lookup.request.method, 'GET');
    assert.equal(
      lookup.request.url,
      `${deployments}?sha=${'a'.repeat(40)}&environment=dev&task=deploy%3Akeelson&per_page=1`,
    );
    const create = lookup.next!([])!;
    assert.equal(create.request.method, 'POST');
    assert.equal(create.request.url, deployments);
    assert.equal(JSON.parse(create.request.body!).task, GITHUB_DEPLOYMENT_TASK);
    assert.equal(create.again, lookup, 'a retry of the create looks first');
    assert.equal(create.next!({ id: 7 })!.request.url, `${deployments}/7/statuses`);
    assert.equal(lookup.next!([{ id: 5 }])!.request.url, `${deployments}/5/statuses`, 'found: no second one');
  });

  it("telegram's retry_after counts as Retry-After", () =>
    assert.equal(retryAfterOf({ parameters: { retry_after: 2 } }), '2'));
});
