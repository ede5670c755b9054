import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { isAuthentic, normalizeRepoUrl, parseDelivery } from './webhook.ts';

const body = (v: unknown) => Buffer.from(JSON.stringify(v));
const githubPush = body({
  ref: 'refs/heads/main',
  repository: { clone_url: 'https://GitHub.com/team/deploy.git', html_url: 'https://github.com/team/deploy' },
});

describe('webhook deliveries', () => {
  it('reads a GitHub push and checks its HMAC signature', () => {
    const sig = `sha256=${createHmac('sha256', 's3cret').update(githubPush).digest('hex')}`;
    const headers = { 'x-github-event': 'push', 'x-hub-signature-256': sig };
    const d = parseDelivery(headers, githubPush);
    assert.deepEqual(d, { provider: 'github', urls: ['github.com/team/deploy'], event: 'push' });
    assert.equal(isAuthentic(d, headers, githubPush, 's3cret'), true);
    assert.equal(isAuthentic(d, headers, githubPush, 'other'), false);
    assert.equal(
      isAuthentic(d, headers, Buffer.from(githubPush.toString().replace('main', 'evil')), 's3cret'),
      false,
      'a changed body fails',
    );
  });

  it('reads a GitLab push and checks its token', () => {
    const payload = body({ project: { git_http_url: 'https://gitlab.example.com/team/deploy.git' } });
    const headers = { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'tok' };
    const d = parseDelivery(headers, payload);
    assert.equal(d.provider, 'gitlab');
    assert.deepEqual(d.urls, ['gitlab.example.com/team/deploy']);
    assert.equal(isAuthentic(d, headers, payload, 'tok'), true);
    assert.equal(isAuthentic(d, { ...headers, 'x-gitlab-token': 'nope' }, payload, 'tok'), false);
  });

  it('reads a generic delivery with a bearer token', () => {
    const payload = body({ url: 'http://127.0.0.1:9000/deploy.git' });
    const d = parseDelivery({ authorization: 'Bearer abc' }, payload);
    assert.equal(d.provider, 'generic');
    assert.equal(isAuthentic(d, { authorization: 'Bearer abc' }, payload, 'abc'), true);
    assert.equal(isAuthentic(d, {}, payload, 'abc'), false);
  });

  it('refuses a body that is not JSON or names no repository', () => {
    assert.throws(() => parseDelivery({}, Buffer.from('nope')), /not JSON/);
    assert.throws(() => parseDelivery({}, body({ ref: 'main' })), /names no repository URL/);
  });

  it('matches URLs regardless of credentials, case of the host, .git and trailing slashes', () => {
    assert.equal(normalizeRepoUrl('https://user:pw@Git.Example.com/team/deploy.git/'), 'git.example.com/team/deploy');
    assert.equal(normalizeRepoUrl('http://127.0.0.1:8080/deploy'), '127.0.0.1:8080/deploy');
  });
});
