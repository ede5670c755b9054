import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { composeMessage, environmentUrl, messageVariables } from './messages.ts';

const vars = messageVariables(
  {
    trigger: 'SyncFailed',
    key: 'SyncFailed/op1',
    environment: 'prod',
    revision: `main@sha1:${'b'.repeat(40)}`,
    result: 'failed',
    detail: 'Sync apps/Deployment/shop/web: field is immutable',
    initiatedBy: 'alice',
  },
  'shop',
  'https://keelson.example/',
);

describe('messages', () => {
  it("links to the UI's page of the Environment", () =>
    assert.equal(vars.url, 'https://keelson.example/ui/environments/shop/prod'));
  it('no UI address, no link', () => assert.equal(environmentUrl(undefined, 'shop', 'prod'), ''));
  it('the default says environment, revision, result, why, who and where', () => {
    const { text } = composeMessage(undefined, vars);
    assert.equal(
      text,
      `❌ shop/prod: sync of main@sha1:${'b'.repeat(40)} failed: Sync apps/Deployment/shop/web: field is immutable ` +
        '(by alice)\nhttps://keelson.example/ui/environments/shop/prod',
    );
  });
  it("a user's template is rendered", () =>
    assert.equal(composeMessage('{{environment}} {{result}} at {{shortCommit}}', vars).text, 'prod failed at bbbbbbb'));
  it('a template that does not parse falls back to the default, with the error', () => {
    const out = composeMessage('{{ nope }}', vars);
    assert.match(out.text, /^❌ shop\/prod/);
    assert.match(out.templateError!, /nope/);
  });
});
