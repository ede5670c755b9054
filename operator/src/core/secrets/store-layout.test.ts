import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { entryNameOf, gpgIdFolders, joinStorePath, parseGpgId } from './store-layout.ts';

describe('store layout', () => {
  it('.gpg-id lists one recipient a line, without comments or blank lines', () => {
    assert.deepEqual(parseGpgId('ABCDEF0123456789\n# ops team\n\n  ops@example.com  # the on-call key\n'), [
      'ABCDEF0123456789',
      'ops@example.com',
    ]);
  });

  const folders: [string, string[]][] = [
    ['db', ['']],
    ['prod/db', ['prod', '']],
    ['prod/eu/db', ['prod/eu', 'prod', '']],
  ];
  for (const [path, expected] of folders) {
    it(`the .gpg-id of ${path} is looked for nearest folder first: ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(gpgIdFolders(path), expected);
    });
  }

  it('entry names are .gpg file paths without the suffix; other files are not entries', () => {
    assert.equal(entryNameOf('prod/db.gpg'), 'prod/db');
    assert.equal(entryNameOf('prod/.gpg-id'), undefined);
    assert.equal(entryNameOf('prod/.gpg'), undefined);
    assert.equal(entryNameOf('README.md'), undefined);
  });

  it('a store at the repository root adds no prefix', () => {
    assert.equal(joinStorePath('', 'prod/db.gpg'), 'prod/db.gpg');
    assert.equal(joinStorePath('secrets', 'prod/db.gpg'), 'secrets/prod/db.gpg');
  });
});
