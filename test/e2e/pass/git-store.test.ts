// The store as Keelson really gets it: a pass store pushed to a Git smart-HTTP server, fetched
// by the Git source (isomorphic-git) and read from the artifact's object store, no checkout.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../operator/src/core/manifest.ts';
import { PassSecretError } from '../../../operator/src/core/secrets/errors.ts';
import { resolvePassSecrets } from '../../../operator/src/core/secrets/resolve.ts';
import { GitSource, GitSourceError } from '../../../operator/src/adapters/git/git-source.ts';
import { DecryptionKey } from '../../../operator/src/adapters/pass/decryption-key.ts';
import { EntryCache, gitBlobId } from '../../../operator/src/adapters/pass/entry-cache.ts';
import { PassStore } from '../../../operator/src/adapters/pass/pass-store.ts';
import { GitServer } from '../../harness/git-server.ts';
import { exampleObjects } from '../../harness/example-deploy-repo.ts';
import { makeTestStore, type TestStore } from '../../harness/pass-store.ts';

const prod = exampleObjects('prod');
const prodObjects = async (): Promise<KubeObject[]> => structuredClone(await prod);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('pass store fetched from Git', () => {
  let t: TestStore;
  let server: GitServer;
  let cacheDir: string;
  let source: GitSource;
  let url: string;

  before(async () => {
    t = makeTestStore();
    server = await GitServer.start();
    cacheDir = mkdtempSync(join(tmpdir(), 'keelson-pass-git-'));
    source = new GitSource({ cacheDir });
    url = (await server.createRepo('pass-store', {})).url;
    await t.store.push(server.authenticatedUrl('pass-store'));
  });
  after(async () => {
    await server?.stop();
    rmSync(cacheDir, { recursive: true, force: true });
    t?.dispose();
  });

  const fetch = async () => (await source.refresh({ url, credentials: server.credentials })).artifact;

  it('reads every readable entry from the artifact as pass wrote it, with both keys', async () => {
    const artifact = await fetch();
    const rsa = new PassStore({ tree: artifact, key: await DecryptionKey.load({ privateKey: t.rsa.privateKey }) });
    const ecc = new PassStore({
      tree: artifact,
      key: await DecryptionKey.load({ privateKey: t.ecc.privateKey, passphrase: t.ecc.passphrase }),
    });
    for (const path of ['prod/db', 'prod/api-token', 'shared/registry'] as const)
      assert.equal(await rsa.readEntry(path), t.entries[path]);
    for (const path of ['shared/registry', 'ecc/signing'] as const)
      assert.equal(await ecc.readEntry(path), t.entries[path]);
    await assert.rejects(
      rsa.readEntry('ecc/signing'),
      (err: unknown) => err instanceof PassSecretError && err.reason === 'NotARecipient',
    );
    await assert.rejects(
      rsa.readEntry('prod/missing'),
      (err: unknown) =>
        err instanceof PassSecretError && err.reason === 'NoSuchEntry' && err.message.includes(artifact.revision),
    );
    assert.deepEqual((await rsa.listEntries()).find((e) => e.path === 'shared/registry')?.recipients, [
      t.rsa.fingerprint,
      t.ecc.fingerprint,
    ]);
  });

  it("resolves the example repo's prod Secrets from the artifact", async () => {
    const key = await DecryptionKey.load({ privateKey: t.rsa.privateKey });
    const resolved = await resolvePassSecrets(await prodObjects(), new PassStore({ tree: await fetch(), key }), {
      hashKey: key.hashKey,
    });
    const db = resolved.find((o) => o.metadata.name === 'api-db')!;
    assert.deepEqual(db.data, { password: b64('Zq8-rsa-db-password-71'), username: b64('app_user') });
  });

  it('the cache key is the Git blob id, so after a commit changing one entry only that entry is decrypted again', async () => {
    const key = await DecryptionKey.load({ privateKey: t.rsa.privateKey });
    const decrypted: string[] = [];
    const original = key.decrypt.bind(key);
    key.decrypt = (bytes, path) => (decrypted.push(path), original(bytes, path));
    const cache = new EntryCache();
    const first = await fetch();
    await resolvePassSecrets(await prodObjects(), new PassStore({ tree: first, key, cache }), { hashKey: key.hashKey });
    assert.deepEqual(decrypted.sort(), ['prod/db', 'prod/db-admin']);
    const blob = await first.readFile('prod/db.gpg');
    const oid = t.home.run('git', ['-C', t.store.dir, 'rev-parse', 'HEAD:prod/db.gpg']).trim();
    assert.equal(gitBlobId(blob!), oid);

    t.store.insert('prod/db-admin', 'Adm1n-rotated-0043\nuser: migrator\n');
    await t.store.push(server.authenticatedUrl('pass-store'), 'rotate db-admin');
    const second = await fetch();
    assert.notEqual(second.revision, first.revision);
    decrypted.length = 0;
    const resolved = await resolvePassSecrets(await prodObjects(), new PassStore({ tree: second, key, cache }), {
      hashKey: key.hashKey,
    });
    assert.deepEqual(decrypted, ['prod/db-admin']);
    assert.equal(
      (resolved.find((o) => o.metadata.name === 'api-migrate-db')!.data as Record<string, string>).password,
      b64('Adm1n-rotated-0043'),
    );
  });

  it('while the Git host is down the refresh fails, and the fetched artifact still resolves', async () => {
    const artifact = await fetch();
    await server.pause();
    try {
      await assert.rejects(fetch(), (err: unknown) => err instanceof GitSourceError);
      const key = await DecryptionKey.load({ privateKey: t.rsa.privateKey });
      assert.equal(
        await new PassStore({ tree: artifact, key }).readEntry('prod/api-token'),
        t.entries['prod/api-token'],
      );
    } finally {
      await server.resume();
    }
  });
});
