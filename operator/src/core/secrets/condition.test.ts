import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPascalCase } from '../conditions.ts';
import { secretsResolvedCondition } from './condition.ts';
import { PASS_ERROR_REASONS, PassSecretError, SecretsResolutionError } from './errors.ts';

const secret = { group: '', kind: 'Secret', namespace: 'shop', name: 'db' };

describe('secretsResolvedCondition', () => {
  it('every reference resolved is True/Resolved with the count', () => {
    assert.deepEqual(secretsResolvedCondition({ references: 4 }), {
      type: 'SecretsResolved',
      status: 'True',
      reason: 'Resolved',
      message: '4 pass references resolved',
    });
  });

  it('no references is True/NoPassSecrets', () => {
    assert.equal(secretsResolvedCondition({ references: 0 }).reason, 'NoPassSecrets');
  });

  it('failures are False with their reason and name the Secret, key and path', () => {
    const c = secretsResolvedCondition(
      new SecretsResolutionError([
        {
          secret,
          dataKey: 'password',
          error: new PassSecretError('NoSuchEntry', 'prod/db', 'no prod/db.gpg in the store'),
        },
      ]),
    );
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'NoSuchEntry');
    assert.equal(
      c.message,
      'Secret shop/db key "password": NoSuchEntry: pass entry "prod/db": no prod/db.gpg in the store',
    );
  });

  it('lists at most five failures and counts the rest', () => {
    const failures = Array.from({ length: 7 }, (_, i) => ({
      secret,
      dataKey: `k${i}`,
      error: new PassSecretError('NoSuchEntry', `p/${i}`, 'missing'),
    }));
    assert.match(secretsResolvedCondition(new SecretsResolutionError(failures)).message, /k4".*; and 2 more$/);
  });

  it('a key that cannot be used is False with its reason', () => {
    assert.equal(
      secretsResolvedCondition(
        new PassSecretError('WrongPassphrase', '', 'the passphrase does not unlock the private key'),
      ).reason,
      'WrongPassphrase',
    );
  });

  it('every reason is a valid condition reason', () => {
    for (const reason of [...PASS_ERROR_REASONS, 'SecretsUnresolved', 'Resolved', 'NoPassSecrets'])
      assert.ok(isPascalCase(reason), reason);
  });
});
