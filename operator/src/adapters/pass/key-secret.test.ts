import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as openpgp from 'openpgp';
import type { KubeObject } from '../../core/manifest.ts';
import { PassSecretError } from '../../core/secrets/errors.ts';
import { loadKeyFromSecret } from './key-secret.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'pass-key', namespace: 'keelson' },
  data,
});

describe('loadKeyFromSecret', () => {
  let armored: string;
  before(async () => {
    armored = (
      await openpgp.generateKey({
        type: 'ecc',
        curve: 'curve25519Legacy',
        userIDs: [{ email: 'k@keelson.example' }],
        passphrase: 'pp-1234',
      })
    ).privateKey;
  });

  it('reads the key from private.asc by default and the passphrase from the named key, without its newline', async () => {
    const key = await loadKeyFromSecret(secret({ 'private.asc': b64(armored), passphrase: b64('pp-1234\n') }), {
      name: 'pass-key',
      passphraseKey: 'passphrase',
    });
    assert.equal(key.fingerprints.length, 1);
  });

  it('reads a key under another name, from stringData too', async () => {
    const s: KubeObject = { ...secret({}), stringData: { 'gpg.key': armored, pp: 'pp-1234' } };
    await loadKeyFromSecret(s, { name: 'pass-key', key: 'gpg.key', passphraseKey: 'pp' });
  });

  const failures: {
    name: string;
    data: (key: string) => Record<string, string>;
    ref: { key?: string; passphraseKey?: string };
    reason: string;
    message: RegExp;
  }[] = [
    {
      name: 'a Secret without the key entry is InvalidKey naming the Secret and the entry',
      data: () => ({ other: b64('x') }),
      ref: {},
      reason: 'InvalidKey',
      message: /Secret keelson\/pass-key has no key "private.asc"/,
    },
    {
      name: 'a named passphrase entry that is missing is WrongPassphrase',
      data: (k) => ({ 'private.asc': k }),
      ref: { passphraseKey: 'passphrase' },
      reason: 'WrongPassphrase',
      message: /no key "passphrase"/,
    },
    {
      name: 'a wrong passphrase is WrongPassphrase naming the Secret, not the passphrase',
      data: (k) => ({ 'private.asc': k, passphrase: b64('guess-9876') }),
      ref: { passphraseKey: 'passphrase' },
      reason: 'WrongPassphrase',
      message: /^(?!.*guess-9876).*Secret keelson\/pass-key key "private.asc"/,
    },
  ];
  for (const c of failures) {
    it(c.name, async () => {
      await assert.rejects(
        loadKeyFromSecret(secret(c.data(b64(armored))), { name: 'pass-key', ...c.ref }),
        (err: unknown) => err instanceof PassSecretError && err.reason === c.reason && c.message.test(err.message),
      );
    });
  }
});
