import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Testing } from 'cdk8s';
import { PassSecret, type PassSecretProps } from './pass-secret.ts';

describe('PassSecret', () => {
  it('carries sorted references in keelson.dev/pass-refs and no values', () => {
    const chart = Testing.chart();
    new PassSecret(chart, 'db', {
      metadata: { name: 'db' },
      data: { user: { path: 'prod/db', field: 'user' }, password: 'prod/db' },
    });
    const [secret] = chart.toJson() as {
      metadata: { annotations: Record<string, string> };
      data?: unknown;
      stringData?: object;
    }[];
    assert.equal(
      secret!.metadata.annotations['keelson.dev/pass-refs'],
      '{"password":{"path":"prod/db"},"user":{"path":"prod/db","field":"user"}}',
    );
    assert.equal(secret!.data, undefined);
    assert.deepEqual(secret!.stringData ?? {}, {});
  });

  it('refuses a literal value added later', () => {
    const secret = new PassSecret(Testing.chart(), 'db', { data: { password: 'prod/db' } });
    assert.throws(() => secret.addStringData('password', 'hunter2'), /refusing a literal value for "password"/);
  });

  const invalid: { name: string; data: PassSecretProps['data']; error: RegExp }[] = [
    { name: 'no references', data: {}, error: /data is empty/ },
    { name: 'an absolute path', data: { p: '/prod/db' }, error: /not a pass entry path/ },
    { name: 'a path that climbs out of the store', data: { p: 'prod/../../etc' }, error: /not a pass entry path/ },
    { name: 'a path with the .gpg suffix', data: { p: 'prod/db.gpg' }, error: /without \.gpg/ },
    { name: 'a data key a Secret cannot have', data: { 'db password': 'prod/db' }, error: /not a valid Secret key/ },
    { name: 'an empty field name', data: { p: { path: 'prod/db', field: '' } }, error: /not a field name/ },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}`, () => {
      assert.throws(() => new PassSecret(Testing.chart(), 'db', { data: c.data }), c.error);
    });
  }
});
