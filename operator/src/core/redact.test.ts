import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from './manifest.ts';
import { REDACTED, redactObject, redactSecretPair, SecretRedactor } from './redact.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'shop' },
  data,
  ...extra,
});

describe('redactObject', () => {
  it('masks every data and stringData value of a Secret and keeps the keys', () => {
    const out = redactObject(secret({ password: b64('hunter2') }, { stringData: { token: 'tok-123' } }));
    assert.deepEqual(out.data, { password: REDACTED });
    assert.deepEqual(out.stringData, { token: REDACTED });
    assert.equal(out.metadata.name, 'db');
  });

  it("masks kubectl's last-applied copy of a Secret", () => {
    const out = redactObject(
      secret(
        { password: b64('hunter2') },
        {
          metadata: {
            name: 'db',
            annotations: {
              'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}',
              other: 'kept',
            },
          },
        },
      ),
    );
    assert.deepEqual(out.metadata.annotations, {
      'kubectl.kubernetes.io/last-applied-configuration': REDACTED,
      other: 'kept',
    });
  });

  it('leaves other kinds, and the input, unchanged', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    assert.equal(redactObject(cm), cm);
    const s = secret({ password: b64('hunter2') });
    redactObject(s);
    assert.deepEqual(s.data, { password: b64('hunter2') });
  });
});

describe('redactSecretPair', () => {
  it('equal values mask the same on both sides; changed, added and removed values mask differently', () => {
    const [desired, live] = redactSecretPair(
      secret({ same: b64('a'), changed: b64('new'), added: b64('x') }),
      secret({ same: b64('a'), changed: b64('old'), removed: b64('y') }),
    );
    assert.deepEqual(desired.data, { same: REDACTED, changed: '<redacted:desired>', added: '<redacted:desired>' });
    assert.deepEqual(live.data, { same: REDACTED, changed: '<redacted:live>', removed: '<redacted:live>' });
  });

  it('a stringData value equal to the live data value is not a change', () => {
    const [desired, live] = redactSecretPair(
      secret({}, { stringData: { a: 'hunter2' } }),
      secret({ a: b64('hunter2') }),
    );
    assert.deepEqual([desired.stringData, live.data], [{ a: REDACTED }, { a: REDACTED }]);
  });

  it('masks one side when the other is absent', () => {
    const [desired, live] = redactSecretPair(secret({ a: b64('hunter2') }), undefined);
    assert.deepEqual(desired!.data, { a: REDACTED });
    assert.equal(live, undefined);
  });
});

describe('SecretRedactor', () => {
  let clock = 0;
  const redactor = () => new SecretRedactor({ now: () => clock, ttlMs: 1000, maxValues: 50 });

  const texts: { name: string; value: string; text: string; expected: string }[] = [
    {
      name: 'a value in free text',
      value: 'hunter2',
      text: 'login failed for hunter2 at db',
      expected: `login failed for ${REDACTED} at db`,
    },
    { name: 'every occurrence', value: 'hunter2', text: 'hunter2/hunter2', expected: `${REDACTED}/${REDACTED}` },
    {
      name: 'its base64 form',
      value: 'hunter2',
      text: `data: {"password":"${b64('hunter2')}"}`,
      expected: `data: {"password":"${REDACTED}"}`,
    },
    {
      name: 'its JSON-escaped form',
      value: 'a"quoted"pw',
      text: JSON.stringify({ v: 'a"quoted"pw' }),
      expected: `{"v":"${REDACTED}"}`,
    },
    {
      name: 'each line of a multi-line value',
      value: '-----BEGIN KEY-----\nMIIBOgIBAAJBAK\n-----END KEY-----',
      text: 'got MIIBOgIBAAJBAK here',
      expected: `got ${REDACTED} here`,
    },
  ];
  for (const c of texts) {
    it(`scrubs ${c.name}`, () => {
      const r = redactor();
      r.remember(c.value);
      assert.equal(r.redactText(c.text), c.expected);
    });
  }

  it('a longer value is scrubbed whole even when it contains a shorter one', () => {
    const r = redactor();
    r.remember('abcd');
    r.remember('abcdefgh');
    assert.equal(r.redactText('x abcdefgh y'), `x ${REDACTED} y`);
  });

  it('values shorter than minLength are not scrubbed, so text stays readable', () => {
    const r = redactor();
    r.remember('abc');
    assert.equal(r.redactText('abc abc'), 'abc abc');
  });

  it('forgets a value after its time to live', () => {
    clock = 0;
    const r = redactor();
    r.remember('hunter2');
    clock = 1001;
    assert.equal(r.redactText('hunter2'), 'hunter2');
    assert.equal(r.size, 0);
  });

  it('keeps at most maxValues forms, dropping the least recently resolved', () => {
    clock = 0;
    const r = new SecretRedactor({ now: () => clock, maxValues: 2 });
    for (const v of ['value-one', 'value-two', 'value-three']) r.remember(v);
    assert.equal(r.size, 2);
    assert.equal(r.redactText('value-one'), 'value-one');
  });

  it('redact masks Secrets nested anywhere and scrubs every string, keys included', () => {
    const r = redactor();
    r.remember('hunter2');
    const out = r.redact({
      message: 'apply failed: hunter2',
      items: [secret({ password: b64('hunter2') })],
      map: { hunter2: 1 },
    });
    assert.doesNotMatch(JSON.stringify(out), /hunter2|aHVudGVyMg/);
    assert.deepEqual(out.items[0]!.data, { password: REDACTED });
  });
});
