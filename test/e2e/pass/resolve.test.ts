// The example deploy repository's PassSecrets, synthesized as the operator does, resolved from a store
// made by gpg and pass: the Secrets that would be applied, the values hash, and the stop
// before anything is applied when a reference does not resolve.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_PASS_REFS, ANNOTATION_SECRET_HASH } from '../../../operator/src/core/keys.ts';
import type { KubeObject } from '../../../operator/src/core/manifest.ts';
import { REDACTED, SecretRedactor } from '../../../operator/src/core/redact.ts';
import { SecretsResolutionError } from '../../../operator/src/core/secrets/errors.ts';
import { resolvePassSecrets } from '../../../operator/src/core/secrets/resolve.ts';
import { DecryptionKey } from '../../../operator/src/adapters/pass/decryption-key.ts';
import { PassStore } from '../../../operator/src/adapters/pass/pass-store.ts';
import { DirectoryTree } from '../../../operator/src/adapters/source/directory-tree.ts';
import { exampleObjects } from '../../harness/example-deploy-repo.ts';
import { makeTestStore, secretValuesOf, type TestStore } from '../../harness/pass-store.ts';

const synthesized = new Map<string, KubeObject[]>();

function synthesize(environment: string): KubeObject[] {
  return structuredClone(synthesized.get(environment)!);
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const secretNamed = (objects: readonly KubeObject[], name: string) =>
  objects.find((o) => o.kind === 'Secret' && o.metadata.name === name)!;

describe('the example deploy repo resolved from a gpg-made store', () => {
  let t: TestStore;
  let key: DecryptionKey;
  let store: PassStore;

  before(async () => {
    for (const env of ['dev', 'prod']) synthesized.set(env, await exampleObjects(env));
    t = makeTestStore();
    key = await DecryptionKey.load({ privateKey: t.rsa.privateKey });
    store = new PassStore({ tree: new DirectoryTree(t.store.dir), key });
  });
  after(() => t?.dispose());

  for (const env of ['dev', 'prod']) {
    it(`${env}: every PassSecret gets the entry's first line and fields as data, and other objects stay as synthesized`, async () => {
      const objects = synthesize(env);
      const resolved = await resolvePassSecrets(objects, store, { hashKey: key.hashKey });
      assert.equal(resolved.length, objects.length);
      const db = secretNamed(resolved, 'api-db');
      assert.deepEqual(db.data, {
        password: b64(t.entries[`${env}/db` as 'dev/db'].split('\n')[0]!),
        username: b64(env === 'dev' ? 'dev_user' : 'app_user'),
      });
      assert.equal(db.stringData, undefined);
      assert.ok(db.metadata.annotations?.[ANNOTATION_PASS_REFS]);
      assert.match(db.metadata.annotations?.[ANNOTATION_SECRET_HASH] ?? '', /^hmac-sha256:[0-9a-f]{64}$/);
      const admin = secretNamed(resolved, 'api-migrate-db');
      assert.deepEqual(admin.data, {
        password: b64(t.entries[`${env}/db-admin` as 'dev/db-admin'].split('\n')[0]!),
        username: b64(env === 'dev' ? 'dev_migrator' : 'migrator'),
      });
      const others = resolved.filter((o) => o.kind !== 'Secret');
      assert.deepEqual(
        others,
        objects.filter((o) => o.kind !== 'Secret'),
      );
    });
  }

  it('a changed entry changes the hash; re-encrypting the same values (pass init) does not', async () => {
    const hashOf = async () =>
      secretNamed(await resolvePassSecrets(synthesize('prod'), store, { hashKey: key.hashKey }), 'api-db').metadata
        .annotations![ANNOTATION_SECRET_HASH];
    const before = await hashOf();
    const original = t.entries['prod/db'];
    t.store.init([t.rsa, t.foreign]);
    try {
      assert.equal(await hashOf(), before, 'same values, new ciphertext');
      t.store.insert('prod/db', original.replace('Zq8-rsa-db-password-71', 'Zq8-rsa-db-password-72'));
      const changed = await hashOf();
      assert.notEqual(changed, before);
      assert.ok(!changed!.includes('Zq8'));
    } finally {
      t.store.init([t.rsa]);
      t.store.insert('prod/db', original);
    }
  });

  it('a reference to a missing entry and one to a missing field stop the whole resolution and name both paths', async () => {
    const objects = synthesize('prod');
    const db = secretNamed(objects, 'api-db');
    db.metadata.annotations![ANNOTATION_PASS_REFS] = JSON.stringify({
      password: { path: 'prod/db-renamed' },
      username: { path: 'prod/db', field: 'login' },
    });
    await assert.rejects(resolvePassSecrets(objects, store, { hashKey: key.hashKey }), (err: unknown) => {
      assert.ok(err instanceof SecretsResolutionError);
      assert.deepEqual(
        err.failures.map((f) => [f.secret.name, f.dataKey, f.error.reason, f.error.path]),
        [
          ['api-db', 'password', 'NoSuchEntry', 'prod/db-renamed'],
          ['api-db', 'username', 'NoSuchField', 'prod/db'],
        ],
      );
      for (const value of secretValuesOf(t.entries))
        assert.ok(!err.message.includes(value), `message contains ${value}`);
      return true;
    });
  });

  it('the resolved objects, passed through the redactor, carry no value in any form', async () => {
    const redactor = new SecretRedactor({ now: Date.now });
    const resolved = await resolvePassSecrets(synthesize('prod'), store, { hashKey: key.hashKey, redactor });
    const text = JSON.stringify(redactor.redact({ objects: resolved, message: `applied ${JSON.stringify(resolved)}` }));
    for (const value of ['Zq8-rsa-db-password-71', 'app_user', 'Adm1n-prod-pw-0042', 'migrator']) {
      assert.ok(!text.includes(value), `redacted output contains ${value}`);
      assert.ok(!text.includes(b64(value)), `redacted output contains base64 of ${value}`);
    }
    assert.ok(text.includes(REDACTED));
  });
});
