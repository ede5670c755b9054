// The user's ~/.npmrc tokens for a local `keelson synth`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenFor, userTokens } from './user-tokens.ts';

describe('userTokens', () => {
  const tokens = userTokens(
    [
      'registry=https://registry.npmjs.org/',
      '//npm.acme.example/:_authToken=acme-token',
      '//npm.acme.example/private/:_authToken=${PRIVATE_TOKEN}',
      '//localhost:4873/:_authToken="quoted"',
      '//empty.example/:_authToken=${UNSET}',
    ].join('\n'),
    { PRIVATE_TOKEN: 'from-env' },
  );

  it('reads _authToken lines, quoted or from the environment, and skips empty ones', () => {
    assert.deepEqual(
      [...tokens],
      [
        ['//npm.acme.example/', 'acme-token'],
        ['//npm.acme.example/private/', 'from-env'],
        ['//localhost:4873/', 'quoted'],
      ],
    );
  });
  it('gives a registry URL the token of its longest prefix', () => {
    assert.equal(tokenFor(tokens, 'https://npm.acme.example/private/'), 'from-env');
    assert.equal(tokenFor(tokens, 'https://npm.acme.example/other'), 'acme-token');
    assert.equal(tokenFor(tokens, 'http://localhost:4873/'), 'quoted');
    assert.equal(tokenFor(tokens, 'https://registry.npmjs.org/'), undefined);
  });
});
