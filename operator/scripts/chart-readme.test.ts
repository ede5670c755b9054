import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chartValues,
  checkSchema,
  renderReadme,
  UndocumentedValueError,
  UnschematizedValueError,
  valuesTable,
} from './chart-readme.ts';

const chart = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'charts', 'keelson');

describe('chart-readme', () => {
  it('lists every key of a map without a comment, and a commented map as one value', () => {
    const values = chartValues(
      [
        '# The file comment, not a value.',
        '',
        'image:',
        '  # -- Repository.',
        '  repository: r',
        '  # Not part of it.',
        '  # -- Tag;',
        '  # empty means appVersion.',
        '  tag: ""',
        '# -- Resources.',
        'resources:',
        '  limits:',
        '    memory: 1Gi',
        '# -- A script.',
        'script: |',
        '  notakey: 1',
        '# -- After the block.',
        'after: 2',
      ].join('\n'),
    );
    assert.deepEqual(values, [
      { path: 'image.repository', description: 'Repository.', default: 'r' },
      { path: 'image.tag', description: 'Tag; empty means appVersion.', default: '' },
      { path: 'resources', description: 'Resources.', default: { limits: { memory: '1Gi' } } },
      { path: 'script', description: 'A script.', default: 'notakey: 1\n' },
      { path: 'after', description: 'After the block.', default: 2 },
    ]);
    assert.equal(
      valuesTable(values.slice(0, 1)),
      '| value | default | description |\n|---|---|---|\n| `image.repository` | `"r"` | Repository. |',
    );
  });

  it('refuses a value without a `# --` comment, naming it', () => {
    for (const [yaml, path] of [
      ['image:\n  # -- Repository.\n  repository: r\n  tag: ""\n', 'image.tag'],
      ['# -- Documented.\na: 1\n\nb: []\n', 'b'],
      ['# just a comment\nc: {}\n', 'c'],
      ['# -- Separated by a blank line.\n\nd: 1\n', 'd'],
    ] as const) {
      assert.throws(
        () => chartValues(yaml),
        (err: unknown) =>
          err instanceof UndocumentedValueError && err.code === 'UNDOCUMENTED_VALUE' && err.path === path,
      );
    }
  });

  it('refuses a value the schema does not know', () => {
    const values = chartValues('# -- A.\na: 1\nb:\n  # -- C.\n  c: 2\n');
    checkSchema(values, { properties: { a: {}, b: { properties: { c: {} } } } });
    assert.throws(
      () => checkSchema(values, { properties: { a: {}, b: { properties: {} } } }),
      (err: unknown) => err instanceof UnschematizedValueError && err.path === 'b.c',
    );
  });

  it('documents every value of the chart, each in values.schema.json, and the README has the table', () => {
    const values = chartValues(readFileSync(join(chart, 'values.yaml'), 'utf8'));
    checkSchema(values, JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')));
    const readme = readFileSync(join(chart, 'README.md'), 'utf8');
    assert.equal(renderReadme(readme, valuesTable(values)), readme, 'run `make generate`');
    for (const v of ['replicas', 'rbac.scope', 'tolerations', 'ui.enabled'])
      assert.ok(values.some((x) => x.path === v));
  });
});
