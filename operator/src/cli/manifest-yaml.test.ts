import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { toYamlDocuments } from './manifest-yaml.ts';

/** Parses a stream as YAML 1.2 and as YAML 1.1 (what kubectl's parser speaks); both must give the data back. */
function roundTrip(objects: unknown[]): void {
  const text = toYamlDocuments(objects);
  for (const version of ['1.2', '1.1'] as const) {
    const docs = parseAllDocuments(text, { version, uniqueKeys: true });
    assert.ok(Array.isArray(docs), `not a stream (${version})`);
    for (const doc of docs)
      assert.deepEqual(doc.errors, [], `${version}: ${doc.errors.map((e) => e.message).join('; ')}\n${text}`);
    assert.deepEqual(
      docs.map((d) => d.toJS()),
      JSON.parse(JSON.stringify(objects)),
      `YAML ${version} reads back something else:\n${text}`,
    );
  }
}

const tricky = [
  '',
  ' ',
  'plain',
  'true',
  'False',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'N',
  'null',
  'Null',
  '~',
  '1',
  '0.5',
  '1.4.3',
  '1e3',
  '0x1F',
  '0o17',
  '.inf',
  '-1',
  '+1',
  '12:30',
  '2001-12-14',
  'a: b',
  'a:b',
  'ends:',
  'a #b',
  '#c',
  '@x',
  '&a',
  '*a',
  '!tag',
  '|',
  '>',
  '%x',
  '`x`',
  '"q"',
  "'q'",
  '- item',
  '? k',
  '[a]',
  '{a}',
  'a, b',
  'trailing ',
  ' leading',
  'ghcr.io/acme/shop-api:1.4.3',
  '/healthz',
  'curl -fsS http://web/healthz && x',
  '{"password":{"path":"dev/db"}}',
  'line1\nline2',
  'line1\nline2\n',
  'line1\nline2\n\n',
  '\nstarts empty',
  '  indented\nfirst',
  'a\n  b\n',
  'tab\tinside',
  'tab\n\tfirst',
  'crlf\r\nline',
  'nul\u0000',
  'del\u007f',
  'nel\u0085x',
  'ls\u2028x',
  'bom\ufeff',
  'ümlaut ✓',
  '---',
  '...',
  'a\n---\nb',
  'x ',
  'x\n ',
  '<<',
  '=',
  'key=value',
];

describe('toYamlDocuments', () => {
  it('writes a document per object, each starting with ---', () => {
    assert.equal(toYamlDocuments([{ a: 1 }, { b: [1, 'x'] }]), '---\na: 1\n---\nb:\n- 1\n- x\n');
  });

  it('reads back every tricky string, as a value and as a key, in YAML 1.2 and 1.1', () => {
    roundTrip(tricky.map((s) => ({ value: s, list: [s], nested: { [s]: s } })));
  });

  it('reads back numbers, booleans, null, empty and nested collections', () => {
    roundTrip([
      {
        n: [0, -3, 2.5, 1e21, -0.001],
        b: [true, false],
        z: null,
        e: {},
        l: [],
        ll: [[1, [2]], [], {}],
        m: [{ a: { b: [{ c: 'd' }] } }],
        spec: {
          containers: [{ name: 'x', ports: [{ containerPort: 80 }], command: ['sh', '-c', 'echo hi\nexit 0\n'] }],
        },
      },
    ]);
  });
});
