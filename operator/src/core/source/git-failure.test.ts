import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeGitFailure, redactText, type GitFailureObservation } from './git-failure.ts';

const url = 'https://git.example.com/team/deploy.git';

describe('describeGitFailure', () => {
  const cases: { name: string; seen: GitFailureObservation; reason: string; message: RegExp; retryable?: boolean }[] = [
    {
      name: 'HTTP 401 is an authentication failure that points at the secret',
      seen: { httpStatus: 401, message: 'HTTP Error: 401' },
      reason: 'AuthenticationFailed',
      message: /authentication failed for https:\/\/git\.example\.com\/team\/deploy\.git.*spec\.secretRef/,
    },
    {
      name: 'HTTP 403 is an authentication failure too',
      seen: { httpStatus: 403, message: 'forbidden' },
      reason: 'AuthenticationFailed',
      message: /HTTP 403/,
    },
    {
      name: 'HTTP 404 means the repository does not exist',
      seen: { httpStatus: 404, message: 'HTTP Error: 404' },
      reason: 'RepositoryNotFound',
      message: /repository not found.*check spec\.url/,
    },
    {
      name: 'a refused connection means the host is unreachable',
      seen: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
      reason: 'HostUnreachable',
      message: /cannot reach git\.example\.com \(ECONNREFUSED\)/,
    },
    {
      name: 'an unknown host is unreachable',
      seen: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' },
      reason: 'HostUnreachable',
      message: /server is down or the address is wrong/,
    },
    {
      name: 'a timeout names spec.timeout',
      seen: { code: 'Timeout', message: 'timed out' },
      reason: 'Timeout',
      message: /spec\.timeout/,
    },
    {
      name: 'an untrusted certificate asks for a CA bundle',
      seen: { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self signed' },
      reason: 'TLSVerificationFailed',
      message: /ca\.crt/,
    },
    {
      name: 'a missing ref keeps the words of the ref selection',
      seen: { code: 'RefNotFoundError', message: 'branch "x" does not exist in the repository' },
      reason: 'RefNotFound',
      message: /branch "x" does not exist/,
    },
    {
      name: 'an invalid ref cannot be retried',
      seen: { code: 'InvalidRefError', message: '"a b" is not a semver range' },
      reason: 'InvalidRef',
      message: /fix spec\.ref/,
      retryable: false,
    },
    {
      name: 'anything else is a fetch failure with the detail',
      seen: { httpStatus: 500, message: 'boom' },
      reason: 'FetchFailed',
      message: /failed \(HTTP 500\): boom/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = describeGitFailure(url, c.seen);
      assert.equal(got.reason, c.reason);
      assert.match(got.message, c.message);
      assert.equal(got.retryable, c.retryable ?? true);
    });
  }

  it('never repeats credentials written into the URL', () => {
    const got = describeGitFailure('https://bot:hunter2@git.example.com/r.git', {
      httpStatus: 401,
      message: 'failed https://bot:hunter2@git.example.com/r.git',
    });
    assert.doesNotMatch(got.message, /hunter2/);
    const other = describeGitFailure('https://bot:hunter2@git.example.com/r.git', {
      message: 'at https://bot:hunter2@git.example.com/r.git',
    });
    assert.doesNotMatch(other.message, /hunter2/);
  });
});

describe('redactText', () => {
  it('strips user:password@ from every URL', () => {
    assert.equal(redactText('a https://u:p@h/x and http://t@h2/y'), 'a https://h/x and http://h2/y');
  });
});
