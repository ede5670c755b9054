// The decryption key of `Environment.spec.secrets.pass.keySecretRef`, taken from the
// Kubernetes Secret it names (the controller reads the Secret; this turns it into a key).
import type { KubeObject } from '../../core/manifest.ts';
import { PassSecretError } from '../../core/secrets/errors.ts';
import { DecryptionKey } from './decryption-key.ts';

/** `spec.secrets.pass.keySecretRef`. */
export interface KeySecretRef {
  readonly name: string;
  /** @default 'private.asc' */
  readonly key?: string;
  readonly passphraseKey?: string;
}

export const DEFAULT_PRIVATE_KEY_KEY = 'private.asc';

/** Loads the key from the Secret's `data` (base64) or `stringData`; errors name the Secret and its keys, never their content. */
export async function loadKeyFromSecret(secret: KubeObject, ref: KeySecretRef): Promise<DecryptionKey> {
  const where = `Secret ${secret.metadata.namespace ? `${secret.metadata.namespace}/` : ''}${secret.metadata.name}`;
  const keyName = ref.key ?? DEFAULT_PRIVATE_KEY_KEY;
  const privateKey = valueOf(secret, keyName);
  if (privateKey === undefined)
    throw new PassSecretError('InvalidKey', '', `${where} has no key "${keyName}" with the armored private key`);
  let passphrase: string | undefined;
  if (ref.passphraseKey !== undefined) {
    const bytes = valueOf(secret, ref.passphraseKey);
    if (bytes === undefined)
      throw new PassSecretError(
        'WrongPassphrase',
        '',
        `${where} has no key "${ref.passphraseKey}" with the passphrase`,
      );
    passphrase = new TextDecoder().decode(bytes).replace(/\r?\n$/, '');
  }
  try {
    return await DecryptionKey.load({ privateKey, passphrase });
  } catch (err) {
    if (err instanceof PassSecretError)
      throw new PassSecretError(err.reason, '', `${where} key "${keyName}": ${err.detail}`);
    throw err;
  }
}

function valueOf(secret: KubeObject, key: string): Uint8Array | undefined {
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (stringData?.[key] !== undefined) return new TextEncoder().encode(stringData[key]);
  const data = secret.data as Record<string, string> | undefined;
  return data?.[key] === undefined ? undefined : new Uint8Array(Buffer.from(data[key], 'base64'));
}
