import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizationHeaders, CredentialsInvalidError, credentialsFromSecretData } from './credentials.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('credentialsFromSecretData', () => {
  const cases: { name: string; data: Record<string, string> | undefined; header: string | undefined; ca?: boolean }[] =
    [
      {
        name: 'username and password become basic auth',
        data: { username: b64('bot'), password: b64('s3cret') },
        header: `Basic ${b64('bot:s3cret')}`,
      },
      {
        name: 'a token alone as password gets a placeholder user',
        data: { password: b64('tok') },
        header: `Basic ${b64('git:tok')}`,
      },
      { name: 'a bearer token becomes a bearer header', data: { bearerToken: b64('tok') }, header: 'Bearer tok' },
      { name: 'a CA bundle alone sends no credentials', data: { 'ca.crt': b64(pem) }, header: undefined, ca: true },
      { name: 'no data sends no credentials', data: undefined, header: undefined },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const creds = credentialsFromSecretData('git-auth', c.data);
      assert.equal(authorizationHeaders(creds).authorization, c.header);
      assert.equal(creds.caBundle !== undefined, c.ca ?? false);
    });
  }

  const invalid: { name: string; data: Record<string, string>; message: RegExp }[] = [
    {
      name: 'a username without a password is refused',
      data: { username: b64('bot') },
      message: /has "username" but no "password"/,
    },
    {
      name: 'a ca.crt that is not PEM is refused',
      data: { 'ca.crt': b64('not a cert') },
      message: /"ca\.crt" that is not a PEM/,
    },
  ];
  for (const c of invalid) {
    it(c.name, () => {
      assert.throws(
        () => credentialsFromSecretData('git-auth', c.data),
        (err: Error) =>
          err instanceof CredentialsInvalidError && c.message.test(err.message) && !err.message.includes('bot'),
      );
    });
  }
});
