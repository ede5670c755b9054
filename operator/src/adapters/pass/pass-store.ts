// A pass store read from a SourceTree (a GitRepository artifact or a directory): entries
// are `<path>.gpg` files under the store root, recipients come from the nearest `.gpg-id`.
// It is the EntryReader of core/secrets: decrypted text goes to the resolver and the
// bounded in-memory cache, nowhere else.
import { normalizeTreePath, type SourceTree } from '../../core/source.ts';
import { asPassSecretError, PassSecretError } from '../../core/secrets/errors.ts';
import type { EntryReader } from '../../core/secrets/resolve.ts';
import { entryNameOf, gpgIdFolders, joinStorePath, parseGpgId } from '../../core/secrets/store-layout.ts';
import type { DecryptionKey } from './decryption-key.ts';
import { gitBlobId, type EntryCache } from './entry-cache.ts';

export interface PassStoreOptions {
  readonly tree: SourceTree;
  /** Folder of the store inside the tree. @default '' (the root) */
  readonly root?: string;
  readonly key: DecryptionKey;
  /** Shared across stores and revisions; entries are keyed by blob id and key. @default no cache */
  readonly cache?: EntryCache;
}

/** One entry of the store and the recipients its folder's `.gpg-id` names. */
export interface StoreEntry {
  readonly path: string;
  readonly recipients: readonly string[];
}

export class PassStore implements EntryReader {
  readonly #tree: SourceTree;
  readonly #root: string;
  readonly #key: DecryptionKey;
  readonly #cache: EntryCache | undefined;
  readonly #cacheScope: string;

  constructor(options: PassStoreOptions) {
    this.#tree = options.tree;
    this.#root = normalizeTreePath(options.root ?? '');
    this.#key = options.key;
    this.#cache = options.cache;
    this.#cacheScope = options.key.fingerprints.join(',');
  }

  /** The decrypted text of an entry: `prod/db` reads `prod/db.gpg`. */
  async readEntry(path: string): Promise<string> {
    const bytes = await this.#read(`${path}.gpg`, path);
    if (bytes === undefined) {
      await this.#assertStore(path);
      throw new PassSecretError('NoSuchEntry', path, `no ${path}.gpg in the store${this.#where()}`);
    }
    const cacheKey = `${this.#cacheScope}:${gitBlobId(bytes)}`;
    const cached = this.#cache?.get(cacheKey);
    if (cached !== undefined) return cached;
    let text: string;
    try {
      text = await this.#key.decrypt(bytes, path);
    } catch (err) {
      throw await this.#explain(asPassSecretError(err, path, 'CorruptEntry'));
    }
    this.#cache?.set(cacheKey, text);
    return text;
  }

  /** The recipients of an entry: the nearest `.gpg-id` at or above its folder. */
  async recipientsOf(path: string): Promise<string[]> {
    for (const folder of gpgIdFolders(path)) {
      const text = await this.#read(folder ? `${folder}/.gpg-id` : '.gpg-id', path);
      if (text !== undefined) return parseGpgId(new TextDecoder().decode(text));
    }
    return [];
  }

  /** Every entry under the store root, sorted by path, with its recipients. */
  async listEntries(): Promise<StoreEntry[]> {
    await this.#assertStore('');
    const paths: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      const entries = await this.#tree.readDir(joinStorePath(this.#root, folder)).catch((err: unknown) => {
        throw asPassSecretError(err, folder, 'StoreUnavailable');
      });
      for (const e of entries ?? []) {
        const path = folder ? `${folder}/${e.name}` : e.name;
        if (e.type === 'dir' && e.name !== '.git') await walk(path);
        const name = e.type === 'file' ? entryNameOf(path) : undefined;
        if (name !== undefined) paths.push(name);
      }
    };
    await walk('');
    paths.sort();
    return Promise.all(paths.map(async (path) => ({ path, recipients: await this.recipientsOf(path) })));
  }

  async #read(relative: string, path: string): Promise<Uint8Array | undefined> {
    try {
      return await this.#tree.readFile(joinStorePath(this.#root, relative));
    } catch (err) {
      throw new PassSecretError(
        'StoreUnavailable',
        path,
        `the store${this.#where()} cannot be read (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }

  /** A tree without a root `.gpg-id` is not a pass store (wrong path or wrong repository). */
  async #assertStore(path: string): Promise<void> {
    if ((await this.#read('.gpg-id', path)) === undefined) {
      throw new PassSecretError(
        'StoreUnavailable',
        path,
        `no .gpg-id at the store root${this.#where()}: not a pass store (pass init creates it)`,
      );
    }
  }

  /** Adds the folder's `.gpg-id` recipients to a NotARecipient error: usually the entry was not re-encrypted after a key was added. */
  async #explain(err: PassSecretError): Promise<PassSecretError> {
    if (err.reason !== 'NotARecipient') return err;
    const recipients = await this.recipientsOf(err.path).catch(() => []);
    const hint = recipients.some((r) => this.#key.isNamedBy(r))
      ? `its .gpg-id names the key, but the entry was encrypted before: re-encrypt it (pass init)`
      : `its .gpg-id lists ${recipients.join(', ') || 'nobody'}: add the key there and re-encrypt (pass init)`;
    return new PassSecretError('NotARecipient', err.path, `${err.detail}; ${hint}`);
  }

  #where(): string {
    const root = this.#root ? ` folder "${this.#root}"` : '';
    return `${root} at ${this.#tree.revision}`;
  }
}
