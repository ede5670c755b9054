// classifyInstallError by code and status: the wording for where tokens come from (an
// Environment's Secrets in the operator, the user's ~/.npmrc in the CLI), and tokens scrubbed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyInstallError, type FailureContext } from './install-error.ts';

const REGISTRY = 'https://npm.acme.example/';
const base: FailureContext = {
  lockfile: 'deploy/package-lock.json',
  mapping: { registry: REGISTRY, scopes: {} },
  withToken: new Set(),
  secrets: [],
};
const pkg = { name: '@acme/platform', version: '2.1.0' };

describe('classifyInstallError', () => {
  it('tells the operator’s user to reference a Secret, and the CLI’s user to add a token to ~/.npmrc', () => {
    const err = { code: 'E401', statusCode: 401 };
    const operator = classifyInstallError(err, pkg, base);
    assert.equal(operator.reason, 'Unauthorized');
    assert.match(operator.message, /wants a token for @acme\/platform@2\.1\.0 \(401\): reference a Secret/);
    const cli = classifyInstallError(err, pkg, { ...base, tokensFrom: 'user-config' });
    assert.match(cli.message, /\(401\): add `\/\/npm\.acme\.example\/:_authToken=<token>` to your npm configuration/);
  });

  it('says whose token was refused', () => {
    const refused = { ...base, withToken: new Set([REGISTRY]), secrets: ['s3cret'] };
    assert.match(classifyInstallError({ statusCode: 403 }, pkg, refused).message, /refused the Environment's token/);
    const cli = classifyInstallError({ statusCode: 403 }, pkg, { ...refused, tokensFrom: 'user-config' });
    assert.match(
      cli.message,
      /refused the token of your npm configuration \(~\/\.npmrc\) for @acme\/platform@2\.1\.0 \(403\)/,
    );
  });

  it('scrubs a token from a detail it echoes', () => {
    const echoed = classifyInstallError({ code: 'EWEIRD', message: 'bad header Bearer s3cret' }, pkg, {
      ...base,
      secrets: ['s3cret'],
    });
    assert.equal(echoed.reason, 'Failed');
    assert.doesNotMatch(echoed.message, /s3cret/);
    assert.match(echoed.message, /Bearer \*\*\*/);
  });
});
