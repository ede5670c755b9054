import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_PASS_REFS, ANNOTATION_SECRET_HASH } from '../keys.ts';
import type { KubeObject } from '../manifest.ts';
import { fillSecret, hashSecretValues } from './fill-secret.ts';

const hashKey = new TextEncoder().encode('operator-only-key');
const placeholder: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db',
    namespace: 'shop',
    annotations: { [ANNOTATION_PASS_REFS]: '{"password":{"path":"prod/db"}}' },
  },
  type: 'Opaque',
  data: { static: Buffer.from('kept').toString('base64') },
};

describe('fillSecret', () => {
  it('puts each value base64-encoded into data and keeps what the placeholder already had', () => {
    const filled = fillSecret(placeholder, new Map([['password', 'hunter2']]), hashKey);
    assert.deepEqual(filled.data, {
      static: Buffer.from('kept').toString('base64'),
      password: Buffer.from('hunter2').toString('base64'),
    });
    assert.equal(filled.type, 'Opaque');
    assert.equal(
      filled.metadata.annotations?.[ANNOTATION_PASS_REFS],
      placeholder.metadata.annotations?.[ANNOTATION_PASS_REFS],
    );
  });

  it('does not change the placeholder it was given', () => {
    fillSecret(placeholder, new Map([['password', 'hunter2']]), hashKey);
    assert.deepEqual(Object.keys(placeholder.data as object), ['static']);
    assert.equal(placeholder.metadata.annotations?.[ANNOTATION_SECRET_HASH], undefined);
  });

  it('records a hash of the values that changes when a value changes and never contains the value', () => {
    const a = fillSecret(placeholder, new Map([['password', 'hunter2']]), hashKey).metadata.annotations![
      ANNOTATION_SECRET_HASH
    ]!;
    const b = fillSecret(placeholder, new Map([['password', 'hunter3']]), hashKey).metadata.annotations![
      ANNOTATION_SECRET_HASH
    ]!;
    assert.match(a, /^hmac-sha256:[0-9a-f]{64}$/);
    assert.notEqual(a, b);
    assert.ok(!a.includes('hunter2'));
  });

  it('a resolved value replaces a stringData entry of the same key', () => {
    const filled = fillSecret(
      { ...placeholder, stringData: { password: 'placeholder', other: 'x' } },
      new Map([['password', 'hunter2']]),
      hashKey,
    );
    assert.deepEqual(filled.stringData, { other: 'x' });
  });
});

describe('hashSecretValues', () => {
  it('does not depend on the order values were resolved in', () => {
    assert.equal(
      hashSecretValues(
        new Map([
          ['a', '1'],
          ['b', '2'],
        ]),
        hashKey,
      ),
      hashSecretValues(
        new Map([
          ['b', '2'],
          ['a', '1'],
        ]),
        hashKey,
      ),
    );
  });

  it('moving text between key and value changes the hash', () => {
    assert.notEqual(
      hashSecretValues(new Map([['ab', 'c']]), hashKey),
      hashSecretValues(new Map([['a', 'bc']]), hashKey),
    );
  });

  it('another operator key gives another hash, so a hash cannot be checked against guessed passwords without it', () => {
    const values = new Map([['password', 'hunter2']]);
    assert.notEqual(hashSecretValues(values, hashKey), hashSecretValues(values, new TextEncoder().encode('another')));
  });
});
