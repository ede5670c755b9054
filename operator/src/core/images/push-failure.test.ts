import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describePushFailure, scrubSecrets, type PushFailureReason } from './push-failure.ts';

const URL = 'https://git.example/acme/deploy.git';
const TOKEN = 'ghp_s3cretTokenValue';

describe('describePushFailure', () => {
  const cases: [string, Parameters<typeof describePushFailure>[2], PushFailureReason, RegExp][] = [
    [
      'a 401',
      { httpStatus: 401, code: 'HttpError', message: 'HTTP Error: 401' },
      'AuthenticationFailed',
      /authentication failed for https:\/\/git\.example\/acme\/deploy\.git \(HTTP 401\): check KEELSON_GIT_TOKEN/,
    ],
    ['a 403', { httpStatus: 403, code: 'HttpError', message: 'x' }, 'AuthenticationFailed', /HTTP 403/],
    [
      'a 404',
      { httpStatus: 404, code: 'HttpError', message: 'x' },
      'RepositoryNotFound',
      /repository not found: .* check --repo/,
    ],
    [
      'a missing branch',
      { code: 'NotFoundError', message: 'Could not find refs/heads/main' },
      'BranchNotFound',
      /has no branch "main": check --branch/,
    ],
    [
      'a timeout',
      { code: 'TimeoutError', message: 'The operation was aborted due to timeout' },
      'Timeout',
      /timed out talking to/,
    ],
    [
      'a refused connection',
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
      'HostUnreachable',
      /cannot reach git\.example \(ECONNREFUSED\)/,
    ],
    [
      'an untrusted certificate',
      { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'x' },
      'TLSVerificationFailed',
      /NODE_EXTRA_CA_CERTS/,
    ],
    [
      'a refused push',
      { code: 'GitPushError', message: 'One or more branches were not updated: pre-receive hook declined' },
      'PushRejected',
      /refused the push to "main": .*hook declined/,
    ],
    [
      'anything else',
      { code: 'Weird', httpStatus: 500, message: 'boom' },
      'GitFailed',
      /talking to .* failed \(HTTP 500\): boom/,
    ],
  ];
  for (const [what, seen, reason, message] of cases) {
    it(`words ${what}`, () => {
      const failure = describePushFailure(URL, 'main', seen, [TOKEN]);
      assert.equal(failure.reason, reason);
      assert.match(failure.message, message);
    });
  }

  it('never repeats credentials from the URL or the message', () => {
    const failure = describePushFailure(
      `https://x-access-token:${TOKEN}@git.example/d.git`,
      'main',
      { code: 'Weird', message: `bad ${TOKEN}` },
      [TOKEN],
    );
    assert.doesNotMatch(failure.message, /s3cret/);
  });
});

describe('scrubSecrets', () => {
  it('removes the secret as it is, URL-encoded, in base64 and inside a Basic header', () => {
    const secret = 'p@ss/word+1';
    const basic = Buffer.from(`x-access-token:${secret}`).toString('base64');
    const text = [
      `token ${secret}`,
      `url https://u:${encodeURIComponent(secret)}@h/r.git`,
      `b64 ${Buffer.from(secret).toString('base64')}`,
      `authorization: Basic ${basic}`,
    ].join('\n');
    const out = scrubSecrets(text, [secret]);
    assert.doesNotMatch(out, /p@ss|p%40ss/);
    assert.ok(!out.includes(basic), out);
    assert.ok(!out.includes(Buffer.from(secret).toString('base64')), out);
    assert.match(out, /^token <redacted>$/m);
  });

  it('leaves text without secrets alone', () => {
    assert.equal(scrubSecrets('pushed 0123abcd to "main"', [TOKEN]), 'pushed 0123abcd to "main"');
    assert.equal(scrubSecrets('short', ['ab']), 'short');
  });
});
