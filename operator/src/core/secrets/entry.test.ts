import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEntry, selectValue } from './entry.ts';
import { PassSecretError } from './errors.ts';

describe('parseEntry', () => {
  const cases: { name: string; text: string; secret: string; fields: [string, string][] }[] = [
    {
      name: 'a one-line entry is the secret and has no fields',
      text: 's3cret-one\n',
      secret: 's3cret-one',
      fields: [],
    },
    {
      name: 'an entry without a trailing newline is read the same',
      text: 's3cret-one',
      secret: 's3cret-one',
      fields: [],
    },
    {
      name: 'key: value lines after the first are fields',
      text: 'pw\nuser: bob\nurl: https://db.example:5432/x\n',
      secret: 'pw',
      fields: [
        ['user', 'bob'],
        ['url', 'https://db.example:5432/x'],
      ],
    },
    {
      name: 'the first line is the secret even when it looks like a field',
      text: 'user: root\nuser: bob\n',
      secret: 'user: root',
      fields: [['user', 'bob']],
    },
    {
      name: 'the first of a repeated field wins',
      text: 'pw\nuser: bob\nuser: alice\n',
      secret: 'pw',
      fields: [['user', 'bob']],
    },
    {
      name: 'lines without a colon are notes and are ignored',
      text: 'pw\nremember to rotate\nuser: bob\n',
      secret: 'pw',
      fields: [['user', 'bob']],
    },
    {
      name: 'CRLF line endings are not part of values',
      text: 'pw\r\nuser: bob\r\n',
      secret: 'pw',
      fields: [['user', 'bob']],
    },
    {
      name: 'a value keeps its colons and trailing text; spaces after the colon are dropped',
      text: 'pw\ndsn:   a:b:c \n',
      secret: 'pw',
      fields: [['dsn', 'a:b:c ']],
    },
    {
      name: 'keys may contain spaces and are trimmed',
      text: 'pw\n  security question : blue\n',
      secret: 'pw',
      fields: [['security question', 'blue']],
    },
    {
      name: 'an otpauth URL line is the otpauth field, whole',
      text: 'pw\notpauth://totp/x?secret=ABC\n',
      secret: 'pw',
      fields: [['otpauth', 'otpauth://totp/x?secret=ABC']],
    },
    {
      name: 'an empty value is a field with an empty value',
      text: 'pw\nnote:\n',
      secret: 'pw',
      fields: [['note', '']],
    },
    { name: 'an empty entry has an empty secret', text: '', secret: '', fields: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const entry = parseEntry(c.text);
      assert.equal(entry.secret, c.secret);
      assert.deepEqual([...entry.fields], c.fields);
    });
  }
});

describe('selectValue', () => {
  const entry = parseEntry('hunter2\nuser: bob\n');

  it('a reference without a field names the first line', () => {
    assert.equal(selectValue(entry, { path: 'prod/db' }), 'hunter2');
  });

  it('a reference with a field names that field', () => {
    assert.equal(selectValue(entry, { path: 'prod/db', field: 'user' }), 'bob');
  });

  it('a missing field is NoSuchField naming the path and the field, not any value', () => {
    assert.throws(
      () => selectValue(entry, { path: 'prod/db', field: 'password' }),
      (err: unknown) => {
        assert.ok(err instanceof PassSecretError);
        assert.equal(err.reason, 'NoSuchField');
        assert.equal(err.path, 'prod/db');
        assert.match(err.message, /prod\/db.*"password"/);
        assert.doesNotMatch(err.message, /hunter2|bob/);
        return true;
      },
    );
  });
});
