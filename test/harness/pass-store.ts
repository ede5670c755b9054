// Real pass stores for tests: keys made by `gpg --batch` in a temporary GNUPGHOME, entries
// written by Debian's `pass`. Nothing here is a fake; the operator reads the result with
// OpenPGP.js only. `makeTestStore()` builds the standard store of the pass tests.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type GpgKeyType = 'rsa' | 'ed25519';

export interface GpgKeySpec {
  readonly type: GpgKeyType;
  readonly name: string;
  /** Protects the private key; absent makes an unprotected key. */
  readonly passphrase?: string;
}

export interface GpgKey {
  readonly fingerprint: string;
  readonly email: string;
  /** `gpg --armor --export-secret-keys`, protected by the passphrase when there is one. */
  readonly privateKey: string;
  readonly passphrase?: string;
}

/** A temporary GNUPGHOME; `dispose()` stops its agent and removes it. */
export class GpgHome {
  readonly dir: string;

  constructor(dir = mkdtempSync(join(tmpdir(), 'keelson-gpg-'))) {
    this.dir = dir;
    chmodSync(dir, 0o700);
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, GNUPGHOME: this.dir, LC_ALL: 'C' };
  }

  /** Runs gpg (or pass, or gpgconf) with this home; throws with stderr on failure. */
  run(command: string, args: readonly string[], input?: string | Uint8Array, env: NodeJS.ProcessEnv = {}): string {
    const res = spawnSync(command, args, { env: { ...this.env, ...env }, input, encoding: 'utf8', timeout: 60_000 });
    if (res.status !== 0)
      throw new Error(`${command} ${args.join(' ')} failed (${res.status}): ${res.stderr || res.error?.message}`);
    return res.stdout;
  }

  generateKey(spec: GpgKeySpec): GpgKey {
    const email = `${spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}@keelson.example`;
    const algorithm =
      spec.type === 'rsa'
        ? ['Key-Type: RSA', 'Key-Length: 2048', 'Subkey-Type: RSA', 'Subkey-Length: 2048']
        : ['Key-Type: EDDSA', 'Key-Curve: ed25519', 'Subkey-Type: ECDH', 'Subkey-Curve: cv25519'];
    const protection = spec.passphrase === undefined ? ['%no-protection'] : [`Passphrase: ${spec.passphrase}`];
    const params = [
      ...algorithm,
      `Name-Real: ${spec.name}`,
      `Name-Email: ${email}`,
      'Expire-Date: 0',
      ...protection,
      '%commit',
      '',
    ].join('\n');
    this.run('gpg', ['--batch', '--gen-key'], params);
    const listing = this.run('gpg', ['--batch', '--with-colons', '--list-secret-keys', `<${email}>`]);
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing)?.[1];
    if (!fingerprint) throw new Error(`no fingerprint for ${email} in:\n${listing}`);
    const unlock =
      spec.passphrase === undefined ? [] : ['--pinentry-mode', 'loopback', '--passphrase', spec.passphrase];
    const privateKey = this.run('gpg', ['--batch', ...unlock, '--armor', '--export-secret-keys', fingerprint]);
    return spec.passphrase === undefined
      ? { fingerprint, email, privateKey }
      : { fingerprint, email, privateKey, passphrase: spec.passphrase };
  }

  dispose(): void {
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: this.env });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A password store directory written with `pass`. */
export class PassStoreDir {
  readonly dir: string;
  readonly #home: GpgHome;

  constructor(home: GpgHome, dir: string) {
    this.#home = home;
    this.dir = dir;
  }

  #pass(args: readonly string[], input?: string, gpgOptions: readonly string[] = []): string {
    const opts = ['--trust-model always', ...gpgOptions].join(' ');
    return this.#home.run('pass', args, input, { PASSWORD_STORE_DIR: this.dir, PASSWORD_STORE_GPG_OPTS: opts });
  }

  /** `pass init [-p folder] <recipients…>`: writes the `.gpg-id` (and re-encrypts what is below it). */
  init(recipients: readonly GpgKey[], folder?: string): void {
    this.#pass(['init', ...(folder ? ['-p', folder] : []), ...recipients.map((k) => k.fingerprint)]);
  }

  /** `pass insert -m -f <path>` with `text` as the entry's content. */
  insert(path: string, text: string): void {
    this.#pass(['insert', '--multiline', '--force', path], text);
  }

  /** What `pass show` prints: the plaintext as gpg decrypts it (a reference for tests and benchmarks). */
  show(path: string, key?: GpgKey): string {
    let unlock: string[] = [];
    if (key?.passphrase !== undefined) {
      // pass splits PASSWORD_STORE_GPG_OPTS on spaces, so the passphrase goes through a file.
      const file = join(this.#home.dir, `passphrase-${key.fingerprint}`);
      writeFileSync(file, key.passphrase, { mode: 0o600 });
      unlock = ['--pinentry-mode loopback', `--passphrase-file ${file}`];
    }
    return this.#pass(['show', path], undefined, unlock);
  }

  /** Writes raw bytes as an entry file, bypassing pass: for corrupt entries. */
  writeRaw(path: string, bytes: string | Uint8Array): void {
    const file = join(this.dir, `${path}.gpg`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }

  /** Makes the store a Git repository with everything committed; returns the commit id. */
  commitAll(message = 'pass store'): string {
    const git = (args: string[]) =>
      this.#home.run('git', [
        '-C',
        this.dir,
        '-c',
        'user.name=Keelson Test',
        '-c',
        'user.email=test@keelson.example',
        ...args,
      ]);
    git(['init', '-q', '-b', 'main']);
    git(['add', '-A']);
    git(['commit', '-q', '--allow-empty', '-m', message]);
    return git(['rev-parse', 'HEAD']).trim();
  }

  /**
   * Commits everything and pushes it to `url` (e.g. GitServer.authenticatedUrl) as `main`;
   * returns the commit id. Asynchronous, so a Git server in the same process can answer.
   */
  async push(url: string, message = 'pass store'): Promise<string> {
    const commit = this.commitAll(message);
    await execFileAsync('git', ['-C', this.dir, 'push', '--quiet', '--force', url, 'HEAD:refs/heads/main'], {
      env: this.#home.env,
      timeout: 60_000,
    });
    return commit;
  }
}

/** The standard store of the pass tests, with the plaintext of every entry for assertions. */
export interface TestStore {
  readonly home: GpgHome;
  readonly store: PassStoreDir;
  /** Unprotected RSA key: recipient of the root `.gpg-id`. */
  readonly rsa: GpgKey;
  /** Passphrase-protected ed25519/cv25519 key: recipient of `ecc/` and, with rsa, of `shared/`. */
  readonly ecc: GpgKey;
  /** A key the operator never has: the only recipient of `foreign/`. */
  readonly foreign: GpgKey;
  /** Entry path → plaintext as inserted. */
  readonly entries: typeof TEST_ENTRIES;
  dispose(): void;
}

/** The entries of the standard store; `dev/*` and `prod/db*` are what the example deploy repo references. */
export const TEST_ENTRIES = {
  'prod/db':
    'Zq8-rsa-db-password-71\nuser: app_user\nhost: db.prod.internal:5432\nnotes without a colon\nurl: postgres://db.prod.internal/app\n',
  'prod/db-admin': 'Adm1n-prod-pw-0042\nuser: migrator\n',
  'dev/db': 'dev-db-pw-5521\nuser: dev_user\n',
  'dev/db-admin': 'dev-admin-pw-8830\nuser: dev_migrator\n',
  'prod/api-token': 'tok-3f9c1e0b2a-prod\n',
  'shared/registry': 'reg-shared-4471-two-recipients\nuser: robot$keelson\n',
  'ecc/signing': 'ecc-only-secret-9931\nkid: 2026-01\n',
  'foreign/other-team': 'not-for-keelson-5512\n',
} as const;

/** Builds the standard store: root (rsa), `shared/` (rsa + ecc), `ecc/` (ecc, passphrase key), `foreign/` (another key), a corrupt entry. */
export function makeTestStore(): TestStore {
  const home = new GpgHome();
  try {
    const rsa = home.generateKey({ type: 'rsa', name: 'Keelson RSA' });
    const ecc = home.generateKey({ type: 'ed25519', name: 'Keelson ECC', passphrase: 'correct horse battery' });
    const foreign = home.generateKey({ type: 'ed25519', name: 'Other Team' });
    const store = new PassStoreDir(home, join(home.dir, 'store'));
    store.init([rsa]);
    store.init([rsa, ecc], 'shared');
    store.init([ecc], 'ecc');
    store.init([foreign], 'foreign');
    for (const [path, text] of Object.entries(TEST_ENTRIES)) store.insert(path, text);
    store.writeRaw('prod/corrupt', 'this is not an OpenPGP message');
    return { home, store, rsa, ecc, foreign, entries: TEST_ENTRIES, dispose: () => home.dispose() };
  } catch (err) {
    home.dispose();
    throw err;
  }
}

/** Every value a leak test looks for: each entry's first line and each field value (user names included). */
export function secretValuesOf(entries: Readonly<Record<string, string>>): string[] {
  const values = new Set<string>();
  for (const text of Object.values(entries)) {
    const [first, ...rest] = text.split('\n');
    if (first) values.add(first);
    for (const line of rest) {
      const value = /^[^:]+:\s*(.+)$/.exec(line)?.[1];
      if (value) values.add(value);
    }
  }
  return [...values];
}
