import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatRevision,
  InvalidRefError,
  parseRevision,
  refPrefix,
  RefNotFoundError,
  selectRef,
  type AdvertisedRef,
} from './git-ref.ts';

const sha = (c: string) => c.repeat(40);
const refs: AdvertisedRef[] = [
  { ref: 'refs/heads/main', oid: sha('a') },
  { ref: 'refs/heads/release', oid: sha('b') },
  { ref: 'refs/tags/v1.0.0', oid: sha('1'), peeled: sha('c') },
  { ref: 'refs/tags/v1.2.0', oid: sha('2') },
  { ref: 'refs/tags/v1.2.0^{}', oid: sha('d') },
  { ref: 'refs/tags/1.3.0-rc.1', oid: sha('e') },
  { ref: 'refs/tags/v2.0.0', oid: sha('f') },
  { ref: 'refs/tags/latest', oid: sha('9') },
];

describe('selectRef', () => {
  const cases: {
    name: string;
    ref: Parameters<typeof selectRef>[0];
    want: { name: string; commit: string; ref?: string };
  }[] = [
    {
      name: 'no ref follows the head of main',
      ref: undefined,
      want: { name: 'main', commit: sha('a'), ref: 'refs/heads/main' },
    },
    { name: 'a branch follows its head', ref: { branch: 'release' }, want: { name: 'release', commit: sha('b') } },
    {
      name: 'an annotated tag resolves to the commit it points at (v2 peeled)',
      ref: { tag: 'v1.0.0' },
      want: { name: 'v1.0.0', commit: sha('c') },
    },
    {
      name: 'an annotated tag resolves through the v1 ^{} line',
      ref: { tag: 'v1.2.0' },
      want: { name: 'v1.2.0', commit: sha('d') },
    },
    {
      name: 'a lightweight tag resolves to its own id',
      ref: { tag: 'latest' },
      want: { name: 'latest', commit: sha('9') },
    },
    {
      name: 'a semver range picks the highest matching tag',
      ref: { semver: '>=1.0.0 <2.0.0' },
      want: { name: 'v1.2.0', commit: sha('d') },
    },
    {
      name: 'a semver range ignores prereleases unless asked',
      ref: { semver: '^1.2.0' },
      want: { name: 'v1.2.0', commit: sha('d') },
    },
    {
      name: 'a semver range matches tags with and without the v',
      ref: { semver: '*' },
      want: { name: 'v2.0.0', commit: sha('f') },
    },
    { name: 'a commit is used as is', ref: { commit: sha('7') }, want: { name: 'HEAD', commit: sha('7') } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = selectRef(c.ref, refs);
      assert.equal(got.name, c.want.name);
      assert.equal(got.commit, c.want.commit);
      if (c.want.ref) assert.equal(got.ref, c.want.ref);
    });
  }

  const failures: {
    name: string;
    ref: Parameters<typeof selectRef>[0];
    error: new (...a: never[]) => Error;
    message: RegExp;
  }[] = [
    {
      name: 'a missing branch is RefNotFound and names the branch',
      ref: { branch: 'gone' },
      error: RefNotFoundError,
      message: /branch "gone" does not exist/,
    },
    {
      name: 'a missing tag is RefNotFound and names the tag',
      ref: { tag: 'v9' },
      error: RefNotFoundError,
      message: /tag "v9" does not exist/,
    },
    {
      name: 'a range no tag satisfies is RefNotFound',
      ref: { semver: '>=3' },
      error: RefNotFoundError,
      message: /no tag matches the semver range ">=3"/,
    },
    {
      name: 'a range that does not parse is InvalidRef',
      ref: { semver: 'one point two' },
      error: InvalidRefError,
      message: /is not a semver range/,
    },
  ];
  for (const c of failures) {
    it(c.name, () => {
      assert.throws(
        () => selectRef(c.ref, refs),
        (err: Error) => err instanceof c.error && c.message.test(err.message),
      );
    });
  }
});

describe('refPrefix', () => {
  it('asks only for the branch, the tag, or all tags', () => {
    assert.equal(refPrefix(undefined), 'refs/heads/main');
    assert.equal(refPrefix({ branch: 'dev' }), 'refs/heads/dev');
    assert.equal(refPrefix({ tag: 'v1' }), 'refs/tags/v1');
    assert.equal(refPrefix({ semver: '^1' }), 'refs/tags/');
  });
});

describe('revisions', () => {
  it('format as name@sha1:commit and parse back', () => {
    const rev = formatRevision({ name: 'main', commit: sha('a') });
    assert.equal(rev, `main@sha1:${sha('a')}`);
    assert.deepEqual(parseRevision(rev), { name: 'main', commit: sha('a') });
    assert.equal(parseRevision('main@abc'), undefined);
  });
});
