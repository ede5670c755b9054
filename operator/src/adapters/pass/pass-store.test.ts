// A store on disk written with OpenPGP.js, read through DirectoryTree. Stores made by pass
// and gpg themselves are tested in test/e2e/pass.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as openpgp from 'openpgp';
import type { SourceTree } from '../../core/source.ts';
import { PassSecretError } from '../../core/secrets/errors.ts';
import { DirectoryTree } from '../source/directory-tree.ts';
import { DecryptionKey } from './decryption-key.ts';
import { EntryCache } from './entry-cache.ts';
import { PassStore } from './pass-store.ts';

const userIDs = [{ name: 'Keelson test', email: 'test@keelson.example' }];

describe('PassStore', () => {
  let dir: string;
  let key: DecryptionKey;
  let ours: openpgp.PublicKey;
  let theirs: openpgp.PublicKey;

  const write = (path: string, bytes: Uint8Array | string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  };
  const encrypt = async (path: string, text: string, keys = [ours]) => {
    const message = await openpgp.createMessage({ binary: new TextEncoder().encode(text) });
    write(`${path}.gpg`, await openpgp.encrypt({ message, encryptionKeys: keys, format: 'binary' }));
  };
  const reason = (r: string, pattern?: RegExp) => (err: unknown) =>
    err instanceof PassSecretError && err.reason === r && (!pattern || pattern.test(err.message));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keelson-pass-store-'));
    const mine = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs, format: 'object' });
    const other = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs, format: 'object' });
    key = await DecryptionKey.load({ privateKey: mine.privateKey.armor() });
    ours = mine.publicKey;
    theirs = other.publicKey;
    write('store/.gpg-id', `${ours.getFingerprint()}\n`);
    write('store/team/.gpg-id', `${theirs.getFingerprint()} # the team key\n`);
    write('store/notes.txt', 'not an entry');
    write('store/.git/HEAD.gpg', 'not an entry either');
    await encrypt('store/prod/db', 'hunter2\nuser: bob\n');
    await encrypt('store/team/shared', 'team-only\n', [theirs]);
    write('store/prod/corrupt.gpg', 'plain text, not OpenPGP');
    write('store/stale/.gpg-id', 'test@keelson.example\n');
    await encrypt('store/stale/old', 'before the key was added\n', [theirs]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const store = (options: { cache?: EntryCache; tree?: SourceTree; root?: string } = {}) =>
    new PassStore({
      tree: options.tree ?? new DirectoryTree(dir),
      root: options.root ?? 'store',
      key,
      cache: options.cache,
    });

  it('reads an entry by its pass path under the store root', async () => {
    assert.equal(await store().readEntry('prod/db'), 'hunter2\nuser: bob\n');
  });

  it('a store at the root of its tree has no prefix', async () => {
    assert.equal(
      await store({ tree: new DirectoryTree(join(dir, 'store')), root: '' }).readEntry('prod/db'),
      'hunter2\nuser: bob\n',
    );
  });

  it('a missing entry is NoSuchEntry naming the path', async () => {
    await assert.rejects(store().readEntry('prod/nope'), reason('NoSuchEntry', /prod\/nope/));
  });

  it('a folder without a root .gpg-id is not a store: StoreUnavailable', async () => {
    await assert.rejects(
      store({ root: 'nothing-here' }).readEntry('prod/db'),
      reason('StoreUnavailable', /no \.gpg-id/),
    );
  });

  it('a tree that cannot be read is StoreUnavailable with the path', async () => {
    const broken: SourceTree = {
      revision: 'main@sha1:0000',
      readFile: () => Promise.reject(new Error('connection refused')),
      readDir: () => Promise.reject(new Error('connection refused')),
    };
    await assert.rejects(
      store({ tree: broken }).readEntry('prod/db'),
      reason('StoreUnavailable', /prod\/db.*connection refused/),
    );
  });

  it('an entry not encrypted to the key is NotARecipient and names what its .gpg-id lists', async () => {
    await assert.rejects(
      store().readEntry('team/shared'),
      reason('NotARecipient', new RegExp(`team/shared.*${theirs.getFingerprint()}`)),
    );
  });

  it('an entry whose .gpg-id names the key but that was not re-encrypted says so', async () => {
    await assert.rejects(
      store().readEntry('stale/old'),
      reason('NotARecipient', /names the key, but the entry was encrypted before/),
    );
  });

  it('a file that is not OpenPGP is CorruptEntry and its content is not in the message', async () => {
    await assert.rejects(
      store().readEntry('prod/corrupt'),
      (err: unknown) => reason('CorruptEntry', /prod\/corrupt/)(err) && !(err as Error).message.includes('plain text'),
    );
  });

  it('lists every entry, sorted, with the recipients of its nearest .gpg-id, skipping .git and other files', async () => {
    const entries = await store().listEntries();
    assert.deepEqual(entries, [
      { path: 'prod/corrupt', recipients: [ours.getFingerprint()] },
      { path: 'prod/db', recipients: [ours.getFingerprint()] },
      { path: 'stale/old', recipients: ['test@keelson.example'] },
      { path: 'team/shared', recipients: [theirs.getFingerprint()] },
    ]);
  });

  it('with a cache, an unchanged entry is decrypted once and a changed one again', async () => {
    const cache = new EntryCache();
    const counting = store({ cache });
    let decrypts = 0;
    const original = key.decrypt.bind(key);
    key.decrypt = (bytes, path) => (decrypts++, original(bytes, path));
    try {
      await counting.readEntry('prod/db');
      await counting.readEntry('prod/db');
      assert.equal(decrypts, 1);
      await encrypt('store/prod/db', 'rotated\n');
      assert.equal(await counting.readEntry('prod/db'), 'rotated\n');
      assert.equal(decrypts, 2);
    } finally {
      key.decrypt = original;
      await encrypt('store/prod/db', 'hunter2\nuser: bob\n');
    }
  });
});
