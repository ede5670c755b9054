import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_PASS_REFS, ANNOTATION_SECRET_HASH } from '../keys.ts';
import type { KubeObject } from '../manifest.ts';
import { PassSecretError, SecretsResolutionError } from './errors.ts';
import { checkPassSecrets, countPassReferences, resolvePassSecrets, type EntryReader } from './resolve.ts';

const hashKey = new Uint8Array([1, 2, 3]);

/** A store of plaintext entries, counting reads: a fake for the pure resolution only. */
function storeOf(entries: Record<string, string>): EntryReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readEntry(path) {
      reads.push(path);
      if (path === 'broken') throw new PassSecretError('CorruptEntry', path, 'not an OpenPGP message');
      const text = entries[path];
      if (text === undefined) throw new PassSecretError('NoSuchEntry', path, 'no such entry in the store');
      return text;
    },
  };
}

function passSecret(name: string, refs: Record<string, { path: string; field?: string }>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'shop', annotations: { [ANNOTATION_PASS_REFS]: JSON.stringify(refs) } },
  };
}

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop' },
};
const store = { 'prod/db': 'hunter2\nuser: bob\n', 'prod/api': 'tok-123456\n' };

describe('resolvePassSecrets', () => {
  it('fills every PassSecret and leaves other objects untouched, in order', async () => {
    const objects = [
      deployment,
      passSecret('db', { password: { path: 'prod/db' }, username: { path: 'prod/db', field: 'user' } }),
    ];
    const out = await resolvePassSecrets(objects, storeOf(store), { hashKey });
    assert.equal(out[0], deployment);
    assert.deepEqual(out[1]!.data, {
      password: Buffer.from('hunter2').toString('base64'),
      username: Buffer.from('bob').toString('base64'),
    });
    assert.match(out[1]!.metadata.annotations![ANNOTATION_SECRET_HASH]!, /^hmac-sha256:/);
  });

  it('reads an entry once however many references name it', async () => {
    const reader = storeOf(store);
    await resolvePassSecrets(
      [passSecret('a', { p: { path: 'prod/db' } }), passSecret('b', { u: { path: 'prod/db', field: 'user' } })],
      reader,
      { hashKey },
    );
    assert.deepEqual(reader.reads, ['prod/db']);
  });

  it('tells the redactor every resolved value', async () => {
    const seen: string[] = [];
    await resolvePassSecrets(
      [passSecret('db', { password: { path: 'prod/db' }, username: { path: 'prod/db', field: 'user' } })],
      storeOf(store),
      { hashKey, redactor: { remember: (v) => seen.push(v) } },
    );
    assert.deepEqual(seen.sort(), ['bob', 'hunter2']);
  });

  it('collects every failure with its Secret, data key and pass path, and returns nothing to apply', async () => {
    const objects = [
      passSecret('db', { password: { path: 'prod/db' }, missing: { path: 'prod/db', field: 'nope' } }),
      passSecret('gone', { token: { path: 'prod/gone' } }),
      passSecret('corrupt', { token: { path: 'broken' } }),
    ];
    await assert.rejects(resolvePassSecrets(objects, storeOf(store), { hashKey }), (err: unknown) => {
      assert.ok(err instanceof SecretsResolutionError);
      assert.deepEqual(
        err.failures.map((f) => [f.secret.name, f.dataKey, f.error.reason, f.error.path]),
        [
          ['db', 'missing', 'NoSuchField', 'prod/db'],
          ['gone', 'token', 'NoSuchEntry', 'prod/gone'],
          ['corrupt', 'token', 'CorruptEntry', 'broken'],
        ],
      );
      assert.equal(err.reason, 'SecretsUnresolved');
      assert.equal(err.isTransient, false);
      assert.doesNotMatch(err.message, /hunter2|bob/);
      return true;
    });
  });

  it('one kind of failure gives that reason; an unreachable store is transient', async () => {
    const reader: EntryReader = {
      readEntry: async (p) => {
        throw new PassSecretError('StoreUnavailable', p, 'repository unreachable');
      },
    };
    await assert.rejects(
      resolvePassSecrets([passSecret('db', { password: { path: 'prod/db' } })], reader, { hashKey }),
      (err: unknown) => {
        assert.ok(err instanceof SecretsResolutionError);
        assert.equal(err.reason, 'StoreUnavailable');
        assert.equal(err.isTransient, true);
        return true;
      },
    );
  });

  it('an invalid annotation fails that Secret as InvalidReference', async () => {
    const bad: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bad', annotations: { [ANNOTATION_PASS_REFS]: 'not json' } },
    };
    await assert.rejects(
      resolvePassSecrets([bad], storeOf(store), { hashKey }),
      (err: unknown) =>
        err instanceof SecretsResolutionError && err.reason === 'InvalidReference' && err.failures[0]!.dataKey === '',
    );
  });

  it('an error that is not typed becomes CorruptEntry with the path', async () => {
    const reader: EntryReader = {
      readEntry: async () => {
        throw new Error('boom');
      },
    };
    await assert.rejects(
      resolvePassSecrets([passSecret('db', { password: { path: 'prod/db' } })], reader, { hashKey }),
      (err: unknown) =>
        err instanceof SecretsResolutionError &&
        err.failures[0]!.error.reason === 'CorruptEntry' &&
        err.failures[0]!.error.path === 'prod/db',
    );
  });
});

describe('checkPassSecrets', () => {
  it('reports each reference as resolving or not, and carries no value', async () => {
    const checks = await checkPassSecrets(
      [deployment, passSecret('db', { password: { path: 'prod/db' }, username: { path: 'prod/db', field: 'login' } })],
      storeOf(store),
    );
    assert.deepEqual(
      checks.map((c) => [c.secret.name, c.dataKey, c.error?.reason ?? 'ok']),
      [
        ['db', 'password', 'ok'],
        ['db', 'username', 'NoSuchField'],
      ],
    );
    assert.doesNotMatch(JSON.stringify(checks), /hunter2|bob/);
  });
});

describe('countPassReferences', () => {
  it('counts the references of every PassSecret and skips other objects', () => {
    assert.equal(
      countPassReferences([
        deployment,
        passSecret('a', { p: { path: 'x' }, u: { path: 'x', field: 'user' } }),
        passSecret('b', { t: { path: 'y' } }),
      ]),
      3,
    );
  });
});
