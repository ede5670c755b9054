// Keys and messages made with OpenPGP.js itself; the gpg-made stores are tested in test/e2e/pass.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as openpgp from 'openpgp';
import { PassSecretError } from '../../core/secrets/errors.ts';
import { DecryptionKey, MAX_ENTRY_BYTES } from './decryption-key.ts';

const userIDs = [{ name: 'Keelson test', email: 'test@keelson.example' }];

async function encryptTo(text: string, keys: openpgp.PublicKey[], armored = false): Promise<Uint8Array> {
  const message = await openpgp.createMessage({ binary: new TextEncoder().encode(text) });
  if (armored) return new TextEncoder().encode(await openpgp.encrypt({ message, encryptionKeys: keys }));
  return openpgp.encrypt({ message, encryptionKeys: keys, format: 'binary' });
}

function rejectsWith(reason: string, pattern?: RegExp) {
  return (err: unknown) =>
    err instanceof PassSecretError && err.reason === reason && (!pattern || pattern.test(err.message));
}

describe('DecryptionKey', () => {
  let plain: { privateKey: string; publicKey: string };
  let protectedKey: { privateKey: string; publicKey: string };
  let other: { privateKey: string; publicKey: string };

  before(async () => {
    plain = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs });
    protectedKey = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs,
      passphrase: 'correct horse',
    });
    other = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs });
  });

  it('decrypts binary and armored entries encrypted to it', async () => {
    const key = await DecryptionKey.load({ privateKey: plain.privateKey });
    const pub = await openpgp.readKey({ armoredKey: plain.publicKey });
    assert.equal(await key.decrypt(await encryptTo('hunter2\nuser: bob\n', [pub]), 'prod/db'), 'hunter2\nuser: bob\n');
    assert.equal(await key.decrypt(await encryptTo('armored\n', [pub], true), 'prod/db'), 'armored\n');
  });

  it('reads a binary private key as well as an armored one', async () => {
    const binary = (await openpgp.readPrivateKey({ armoredKey: plain.privateKey })).write();
    const key = await DecryptionKey.load({ privateKey: binary });
    assert.deepEqual(key.fingerprints, (await DecryptionKey.load({ privateKey: plain.privateKey })).fingerprints);
  });

  it('unlocks a protected key with its passphrase', async () => {
    const key = await DecryptionKey.load({ privateKey: protectedKey.privateKey, passphrase: 'correct horse' });
    const pub = await openpgp.readKey({ armoredKey: protectedKey.publicKey });
    assert.equal(await key.decrypt(await encryptTo('pw\n', [pub]), 'x'), 'pw\n');
  });

  it('a passphrase read from a file with its trailing newline still unlocks the key, as with gpg --passphrase-file', async () => {
    for (const passphrase of ['correct horse\n', 'correct horse\r\n'])
      await DecryptionKey.load({ privateKey: protectedKey.privateKey, passphrase });
  });

  it('a wrong passphrase is WrongPassphrase and does not echo the passphrase', async () => {
    await assert.rejects(
      DecryptionKey.load({ privateKey: protectedKey.privateKey, passphrase: 'battery staple' }),
      (err: unknown) => rejectsWith('WrongPassphrase')(err) && !(err as Error).message.includes('battery'),
    );
  });

  it('a protected key without a passphrase is WrongPassphrase saying none was given', async () => {
    await assert.rejects(
      DecryptionKey.load({ privateKey: protectedKey.privateKey }),
      rejectsWith('WrongPassphrase', /no passphrase was given/),
    );
  });

  it('text that is not a private key is InvalidKey', async () => {
    await assert.rejects(DecryptionKey.load({ privateKey: plain.publicKey }), rejectsWith('InvalidKey'));
    await assert.rejects(DecryptionKey.load({ privateKey: 'not a key' }), rejectsWith('InvalidKey'));
  });

  it('an entry for other recipients only is NotARecipient naming their key ids', async () => {
    const key = await DecryptionKey.load({ privateKey: plain.privateKey });
    const otherPub = await openpgp.readKey({ armoredKey: other.publicKey });
    const ids = otherPub.getKeyIDs().map((k) => k.toHex());
    await assert.rejects(
      key.decrypt(await encryptTo('pw\n', [otherPub]), 'team/x'),
      (err: unknown) =>
        rejectsWith('NotARecipient', /team\/x/)(err) && ids.some((id) => (err as Error).message.includes(id)),
    );
  });

  it('an entry for several recipients decrypts with any one of their keys', async () => {
    const pubs = [
      await openpgp.readKey({ armoredKey: plain.publicKey }),
      await openpgp.readKey({ armoredKey: other.publicKey }),
    ];
    const ciphertext = await encryptTo('shared\n', pubs);
    for (const k of [plain, other])
      assert.equal(await (await DecryptionKey.load({ privateKey: k.privateKey })).decrypt(ciphertext, 's'), 'shared\n');
  });

  it('several keys in one armored block decrypt entries for any of them', async () => {
    const both =
      (await openpgp.readPrivateKey({ armoredKey: plain.privateKey })).armor() +
      '\n' +
      (await openpgp.readPrivateKey({ armoredKey: other.privateKey })).armor();
    const key = await DecryptionKey.load({ privateKey: both });
    assert.equal(key.fingerprints.length, 2);
    const otherPub = await openpgp.readKey({ armoredKey: other.publicKey });
    assert.equal(await key.decrypt(await encryptTo('second\n', [otherPub]), 's'), 'second\n');
  });

  it('bytes that are not an OpenPGP message, or a truncated one, are CorruptEntry with the path', async () => {
    const key = await DecryptionKey.load({ privateKey: plain.privateKey });
    await assert.rejects(
      key.decrypt(new TextEncoder().encode('hunter2 in plain text'), 'prod/db'),
      rejectsWith('CorruptEntry', /prod\/db/),
    );
    const pub = await openpgp.readKey({ armoredKey: plain.publicKey });
    const whole = await encryptTo('hunter2\n', [pub]);
    await assert.rejects(
      key.decrypt(whole.subarray(0, whole.length - 10), 'prod/db'),
      rejectsWith('CorruptEntry', /prod\/db/),
    );
  });

  it('a compressed entry that would expand past the size limit is CorruptEntry, not an out-of-memory', async () => {
    const key = await DecryptionKey.load({ privateKey: plain.privateKey });
    const pub = await openpgp.readKey({ armoredKey: plain.publicKey });
    const message = await openpgp.createMessage({ binary: new Uint8Array(MAX_ENTRY_BYTES + 1) });
    const bomb = await openpgp.encrypt({
      message,
      encryptionKeys: pub,
      format: 'binary',
      config: { preferredCompressionAlgorithm: openpgp.enums.compression.zlib },
    });
    assert.ok(bomb.byteLength < 64 * 1024, `compressed to ${bomb.byteLength} bytes`);
    await assert.rejects(
      key.decrypt(bomb, 'big'),
      rejectsWith('CorruptEntry', /big.*decompressed message size exceeded/),
    );
    const fits = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: new Uint8Array(1024).fill(65) }),
      encryptionKeys: pub,
      format: 'binary',
      config: { preferredCompressionAlgorithm: openpgp.enums.compression.zlib },
    });
    assert.equal((await key.decrypt(fits, 'small')).length, 1024);
  });

  it('a file larger than the size limit is CorruptEntry before it is parsed', async () => {
    const key = await DecryptionKey.load({ privateKey: plain.privateKey });
    await assert.rejects(
      key.decrypt(new Uint8Array(MAX_ENTRY_BYTES + 1), 'huge'),
      rejectsWith('CorruptEntry', /larger than/),
    );
  });

  it('the hash key is the same for the same key armored or binary, and differs between keys', async () => {
    const a = await DecryptionKey.load({ privateKey: plain.privateKey });
    const binary = (await openpgp.readPrivateKey({ armoredKey: plain.privateKey })).write();
    assert.deepEqual((await DecryptionKey.load({ privateKey: binary })).hashKey, a.hashKey);
    assert.notDeepEqual((await DecryptionKey.load({ privateKey: other.privateKey })).hashKey, a.hashKey);
  });
});

describe('DecryptionKey.isNamedBy', () => {
  it('matches a .gpg-id line by fingerprint, key id, 0x key id or email, and nothing else', async () => {
    const generated = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Ops', email: 'ops@keelson.example' }],
    });
    const key = await DecryptionKey.load({ privateKey: generated.privateKey });
    const fpr = key.fingerprints[0]!;
    const subkeyId = [...key.keyIds].at(-1)!;
    for (const line of [
      fpr,
      fpr.toLowerCase(),
      fpr.slice(-16),
      `0x${fpr.slice(-8)}`,
      subkeyId,
      'ops@keelson.example',
      'Ops <OPS@keelson.example>',
    ]) {
      assert.equal(key.isNamedBy(line), true, line);
    }
    for (const line of ['DEADBEEFDEADBEEF', 'someone@keelson.example']) assert.equal(key.isNamedBy(line), false, line);
  });
});
