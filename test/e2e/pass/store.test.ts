// A pass store made by gpg and pass, read by the operator's pass adapter (OpenPGP.js, no gpg):
// both key types, the passphrase key, per-folder .gpg-id, two recipients, and every error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassSecretError, type PassErrorReason } from '../../../operator/src/core/secrets/errors.ts';
import type { SourceTree } from '../../../operator/src/core/source.ts';
import { DecryptionKey } from '../../../operator/src/adapters/pass/decryption-key.ts';
import { EntryCache } from '../../../operator/src/adapters/pass/entry-cache.ts';
import { PassStore } from '../../../operator/src/adapters/pass/pass-store.ts';
import { DirectoryTree } from '../../../operator/src/adapters/source/directory-tree.ts';
import { makeTestStore, secretValuesOf, type GpgKey, type TestStore } from '../../harness/pass-store.ts';

describe('pass store made by gpg and pass', () => {
  let t: TestStore;
  const load = (k: GpgKey, passphrase = k.passphrase) => DecryptionKey.load({ privateKey: k.privateKey, passphrase });
  const storeFor = async (k: GpgKey, tree: SourceTree = new DirectoryTree(t.store.dir)) =>
    new PassStore({ tree, key: await load(k) });

  before(() => {
    t = makeTestStore();
  });
  after(() => t?.dispose());

  const readable: { name: string; key: 'rsa' | 'ecc'; path: string }[] = [
    { name: 'the RSA key reads a multi-line entry of the root folder', key: 'rsa', path: 'prod/db' },
    { name: 'the RSA key reads a one-line entry', key: 'rsa', path: 'prod/api-token' },
    { name: 'the RSA key reads an entry encrypted for two recipients', key: 'rsa', path: 'shared/registry' },
    {
      name: 'the passphrase-protected ed25519/cv25519 key reads the same two-recipient entry',
      key: 'ecc',
      path: 'shared/registry',
    },
    {
      name: 'the ed25519/cv25519 key reads the folder whose own .gpg-id names only it',
      key: 'ecc',
      path: 'ecc/signing',
    },
  ];
  for (const c of readable) {
    it(`${c.name}, byte for byte what pass show prints`, async () => {
      const store = await storeFor(t[c.key]);
      const text = await store.readEntry(c.path);
      assert.equal(text, t.entries[c.path as keyof typeof t.entries]);
      assert.equal(text, t.store.show(c.path, t[c.key]));
    });
  }

  const failing: { name: string; key: 'rsa' | 'ecc'; path: string; reason: PassErrorReason; message: RegExp }[] = [
    {
      name: 'an entry that does not exist',
      key: 'rsa',
      path: 'prod/nope',
      reason: 'NoSuchEntry',
      message: /prod\/nope/,
    },
    {
      name: 'an entry of a folder whose .gpg-id names another key only',
      key: 'rsa',
      path: 'ecc/signing',
      reason: 'NotARecipient',
      message: /ecc\/signing.*add the key there/,
    },
    {
      name: "another team's entry",
      key: 'ecc',
      path: 'foreign/other-team',
      reason: 'NotARecipient',
      message: /foreign\/other-team/,
    },
    {
      name: 'a file that is not an OpenPGP message',
      key: 'rsa',
      path: 'prod/corrupt',
      reason: 'CorruptEntry',
      message: /prod\/corrupt/,
    },
  ];
  for (const c of failing) {
    it(`${c.name} is ${c.reason}, naming the path and no value`, async () => {
      const store = await storeFor(t[c.key]);
      await assert.rejects(store.readEntry(c.path), (err: unknown) => {
        assert.ok(err instanceof PassSecretError, String(err));
        assert.equal(err.reason, c.reason);
        assert.equal(err.path, c.path);
        assert.match(err.message, c.message);
        for (const value of secretValuesOf(t.entries))
          assert.ok(!err.message.includes(value), `message contains ${value}`);
        return true;
      });
    });
  }

  it('lists the entries with the recipients of the nearest .gpg-id, the folder override included', async () => {
    const entries = await (await storeFor(t.rsa)).listEntries();
    const byPath = new Map(entries.map((e) => [e.path, e.recipients]));
    assert.deepEqual(byPath.get('prod/db'), [t.rsa.fingerprint]);
    assert.deepEqual(byPath.get('shared/registry'), [t.rsa.fingerprint, t.ecc.fingerprint]);
    assert.deepEqual(byPath.get('ecc/signing'), [t.ecc.fingerprint]);
    assert.deepEqual([...byPath.keys()].sort(), [...Object.keys(t.entries), 'prod/corrupt'].sort());
  });

  it('a wrong passphrase is WrongPassphrase and the message holds neither passphrase', async () => {
    await assert.rejects(
      load(t.ecc, 'wrong horse'),
      (err: unknown) =>
        err instanceof PassSecretError && err.reason === 'WrongPassphrase' && !err.message.includes('horse'),
    );
  });

  it('the passphrase key without its passphrase is WrongPassphrase', async () => {
    await assert.rejects(
      DecryptionKey.load({ privateKey: t.ecc.privateKey }),
      (err: unknown) => err instanceof PassSecretError && err.reason === 'WrongPassphrase',
    );
  });

  it('a public key given as the private key is InvalidKey', async () => {
    const publicKey = t.home.run('gpg', ['--batch', '--armor', '--export', t.rsa.fingerprint]);
    await assert.rejects(
      DecryptionKey.load({ privateKey: publicKey }),
      (err: unknown) => err instanceof PassSecretError && err.reason === 'InvalidKey',
    );
  });

  it('a directory that is not a store, and a store that cannot be read, are StoreUnavailable', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'keelson-not-a-store-'));
    try {
      await assert.rejects(
        (await storeFor(t.rsa, new DirectoryTree(empty))).readEntry('prod/db'),
        (err: unknown) => err instanceof PassSecretError && err.reason === 'StoreUnavailable',
      );
    } finally {
      rmSync(empty, { recursive: true });
    }
    const unreachable: SourceTree = {
      revision: 'main@sha1:unreachable',
      readFile: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')),
      readDir: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')),
    };
    await assert.rejects(
      (await storeFor(t.rsa, unreachable)).readEntry('prod/db'),
      (err: unknown) => err instanceof PassSecretError && err.reason === 'StoreUnavailable' && err.path === 'prod/db',
    );
  });

  it('the cache serves an unchanged entry and never a replaced one', async () => {
    const cache = new EntryCache();
    const store = new PassStore({ tree: new DirectoryTree(t.store.dir), key: await load(t.rsa), cache });
    assert.equal(await store.readEntry('prod/api-token'), t.entries['prod/api-token']);
    assert.equal(cache.size, 1);
    t.store.insert('prod/api-token', 'tok-rotated-0001\n');
    try {
      assert.equal(await store.readEntry('prod/api-token'), 'tok-rotated-0001\n');
      assert.equal(cache.size, 2);
    } finally {
      t.store.insert('prod/api-token', t.entries['prod/api-token']);
    }
  });
});
