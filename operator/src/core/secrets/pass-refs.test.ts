import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_PASS_REFS } from '../keys.ts';
import type { KubeObject } from '../manifest.ts';
import { PassSecretError } from './errors.ts';
import { hasPassRefs, readPassRefs } from './pass-refs.ts';

function secret(refs: string | undefined, kind = 'Secret'): KubeObject {
  const annotations = refs === undefined ? undefined : { [ANNOTATION_PASS_REFS]: refs };
  return { apiVersion: 'v1', kind, metadata: { name: 'db', namespace: 'shop', annotations } };
}

describe('PassSecret references', () => {
  it('a Secret with the annotation carries pass references; other objects and plain Secrets do not', () => {
    assert.equal(hasPassRefs(secret('{}')), true);
    assert.equal(hasPassRefs(secret(undefined)), false);
    assert.equal(hasPassRefs(secret('{}', 'ConfigMap')), false);
  });

  it('reads data key → path and optional field', () => {
    const { secret: key, refs } = readPassRefs(
      secret(JSON.stringify({ password: { path: 'prod/db' }, username: { path: 'prod/db', field: 'user' } })),
    );
    assert.deepEqual(key, { group: '', kind: 'Secret', namespace: 'shop', name: 'db' });
    assert.deepEqual(
      [...refs],
      [
        ['password', { path: 'prod/db' }],
        ['username', { path: 'prod/db', field: 'user' }],
      ],
    );
  });

  const invalid: { name: string; refs: unknown; message: RegExp }[] = [
    { name: 'an annotation that is not JSON', refs: '{nope', message: /is not JSON/ },
    { name: 'an annotation that is a list', refs: [], message: /JSON object/ },
    { name: 'a reference without a path', refs: { password: { field: 'x' } }, message: /data key "password"/ },
    {
      name: 'a path that leaves the store',
      refs: { password: { path: '../etc/passwd' } },
      message: /relative to the store root/,
    },
    { name: 'an absolute path', refs: { password: { path: '/prod/db' } }, message: /relative to the store root/ },
    {
      name: 'a path with an empty segment',
      refs: { password: { path: 'prod//db' } },
      message: /relative to the store root/,
    },
    { name: 'a path with the .gpg suffix', refs: { password: { path: 'prod/db.gpg' } }, message: /without "\.gpg"/ },
    {
      name: 'a data key Kubernetes would reject',
      refs: { 'pass word': { path: 'prod/db' } },
      message: /not a valid Secret key/,
    },
    { name: 'an empty field', refs: { password: { path: 'prod/db', field: ' ' } }, message: /non-empty one-line/ },
  ];
  for (const c of invalid) {
    it(`${c.name} is InvalidReference`, () => {
      const text = typeof c.refs === 'string' ? c.refs : JSON.stringify(c.refs);
      assert.throws(
        () => readPassRefs(secret(text)),
        (err: unknown) =>
          err instanceof PassSecretError && err.reason === 'InvalidReference' && c.message.test(err.message),
      );
    });
  }
});
