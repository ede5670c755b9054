// The private key that decrypts a pass store, loaded with OpenPGP.js (no gpg binary):
// armored or binary, one key or several, optionally passphrase-protected; RSA and
// Curve25519. Errors are PassSecretErrors about the key, never about an entry's content.
import { createHmac } from 'node:crypto';
import * as openpgp from 'openpgp';
import { PassSecretError } from '../../core/secrets/errors.ts';

export interface DecryptionKeyOptions {
  /** The private key(s), armored (`-----BEGIN PGP PRIVATE KEY BLOCK-----`) or binary. */
  readonly privateKey: string | Uint8Array;
  /** The passphrase of protected keys; ignored for unprotected ones. */
  readonly passphrase?: string;
}

/** A wildcard (hidden) recipient key id, as `gpg --throw-keyids` writes. */
const WILDCARD = '0000000000000000';
/** The largest entry, encrypted or decrypted: a compressed message cannot expand past it (a store is shared, writable input). */
export const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

export class DecryptionKey {
  readonly #keys: openpgp.PrivateKey[];
  /** Hex ids of every key and subkey, lowercase. */
  readonly keyIds: ReadonlySet<string>;
  /** Primary key fingerprints, uppercase hex, for messages. */
  readonly fingerprints: readonly string[];
  /** A secret derived from the key material: the key of the values hash (see core/secrets/fill-secret.ts). */
  readonly hashKey: Uint8Array;
  readonly #emails: ReadonlySet<string>;

  private constructor(keys: openpgp.PrivateKey[], hashKey: Uint8Array) {
    this.#keys = keys;
    this.keyIds = new Set(keys.flatMap((k) => k.getKeyIDs().map((id) => id.toHex())));
    this.fingerprints = keys.map((k) => k.getFingerprint().toUpperCase());
    this.hashKey = hashKey;
    this.#emails = new Set(
      keys.flatMap((k) => k.getUserIDs().map((u) => (/<([^>]+)>/.exec(u)?.[1] ?? u).toLowerCase())),
    );
  }

  /** True when a `.gpg-id` line names this key: by fingerprint, long or short key id (0x optional), or email. */
  isNamedBy(recipient: string): boolean {
    const text = recipient.trim().replace(/^0x/i, '');
    if (/^[0-9a-f]{8,40}$/i.test(text)) {
      const hex = text.toUpperCase();
      return (
        this.fingerprints.some((f) => f.endsWith(hex)) || [...this.keyIds].some((id) => id.toUpperCase().endsWith(hex))
      );
    }
    const email = (/<([^>]+)>/.exec(text)?.[1] ?? text).toLowerCase();
    return this.#emails.has(email);
  }

  static async load(options: DecryptionKeyOptions): Promise<DecryptionKey> {
    const keys = await readKeys(options.privateKey);
    const decrypted = await Promise.all(keys.map((k) => unlock(k, options.passphrase)));
    const hmac = createHmac('sha256', 'keelson.dev/secret-hash');
    for (const key of decrypted) hmac.update(key.write());
    return new DecryptionKey(decrypted, new Uint8Array(hmac.digest()));
  }

  /** True when a message encrypted to these key ids can be decrypted with this key. */
  canDecryptFor(recipientKeyIds: readonly string[]): boolean {
    return recipientKeyIds.some((id) => id === WILDCARD || this.keyIds.has(id));
  }

  /** Decrypts one entry file; errors name `path` and the recipients' key ids. */
  async decrypt(ciphertext: Uint8Array, path: string): Promise<string> {
    if (ciphertext.byteLength > MAX_ENTRY_BYTES)
      throw new PassSecretError('CorruptEntry', path, `the file is larger than ${MAX_ENTRY_BYTES} bytes`);
    let message: openpgp.Message<Uint8Array | string>;
    try {
      message = isArmored(ciphertext)
        ? await openpgp.readMessage({ armoredMessage: new TextDecoder().decode(ciphertext) })
        : await openpgp.readMessage({ binaryMessage: ciphertext });
    } catch (err) {
      throw new PassSecretError('CorruptEntry', path, `not an OpenPGP message (${errorText(err)})`);
    }
    const recipients = message.getEncryptionKeyIDs().map((id) => id.toHex());
    if (!this.canDecryptFor(recipients)) {
      throw new PassSecretError(
        'NotARecipient',
        path,
        `encrypted for key ids ${recipients.join(', ') || '(none)'}, and the key (${this.fingerprints.join(', ')}) is not one of them`,
      );
    }
    try {
      const { data } = await openpgp.decrypt({
        message,
        decryptionKeys: this.#keys,
        format: 'binary',
        config: { maxDecompressedMessageSize: MAX_ENTRY_BYTES },
      });
      return new TextDecoder('utf-8', { fatal: false }).decode(data);
    } catch (err) {
      throw new PassSecretError('CorruptEntry', path, `cannot be decrypted (${errorText(err)})`);
    }
  }
}

async function readKeys(privateKey: string | Uint8Array): Promise<openpgp.PrivateKey[]> {
  try {
    if (typeof privateKey !== 'string' && !isArmored(privateKey))
      return await openpgp.readPrivateKeys({ binaryKeys: privateKey });
    const text = typeof privateKey === 'string' ? privateKey : new TextDecoder().decode(privateKey);
    // One armor block may hold several keys; several blocks may also be concatenated.
    const blocks = text.split(/(?=-----BEGIN PGP PRIVATE KEY BLOCK-----)/).filter((b) => b.includes('-----BEGIN PGP'));
    if (blocks.length === 0) throw new Error('no "BEGIN PGP PRIVATE KEY BLOCK" armor');
    const keys = await Promise.all(blocks.map((armoredKeys) => openpgp.readPrivateKeys({ armoredKeys })));
    return keys.flat();
  } catch (err) {
    throw new PassSecretError(
      'InvalidKey',
      '',
      `the private key cannot be read (${errorText(err)}); export it with gpg --armor --export-secret-keys`,
    );
  }
}

async function unlock(key: openpgp.PrivateKey, passphrase: string | undefined): Promise<openpgp.PrivateKey> {
  if (key.isDecrypted()) return key;
  const id = key.getFingerprint().toUpperCase();
  if (passphrase === undefined)
    throw new PassSecretError('WrongPassphrase', '', `the private key ${id} is protected and no passphrase was given`);
  // A passphrase kept in a file (a Secret made with --from-file) usually ends with a newline,
  // which gpg's --passphrase-file ignores as well: it is tried without it when it fails as is.
  const trimmed = passphrase.replace(/\r?\n$/, '');
  for (const candidate of trimmed === passphrase ? [passphrase] : [passphrase, trimmed]) {
    try {
      return await openpgp.decryptKey({ privateKey: key, passphrase: candidate });
    } catch (err) {
      if (!/passphrase/i.test(errorText(err)))
        throw new PassSecretError('InvalidKey', '', `the private key ${id} cannot be unlocked (${errorText(err)})`);
    }
  }
  throw new PassSecretError('WrongPassphrase', '', `the passphrase does not unlock the private key ${id}`);
}

function isArmored(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  return head.startsWith('-----BEGIN PGP');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
