// A Git source as a GitRepository: URLs Keelson can fetch, targetRevision as spec.ref, names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fetchUrl, gitRef, repositoryName, RepositoryNames } from './git-ref.ts';
import { ImportNotes } from './import-notes.ts';

describe('fetchUrl', () => {
  const cases: [string, { url: string; insecure?: boolean } | undefined][] = [
    ['https://github.com/acme/shop.git', { url: 'https://github.com/acme/shop.git' }],
    ['http://git.internal/shop.git', { url: 'http://git.internal/shop.git', insecure: true }],
    ['git@github.com:acme/shop.git', { url: 'https://github.com/acme/shop.git' }],
    ['ssh://git@gitlab.example.com:2222/team/shop.git', { url: 'https://gitlab.example.com/team/shop.git' }],
    ['git://example.com/shop.git', undefined],
  ];
  for (const [repoURL, expected] of cases) {
    it(`fetches ${repoURL} ${expected ? `as ${expected.url}` : 'not at all'}`, () => {
      const notes = new ImportNotes();
      assert.deepEqual(fetchUrl(repoURL, 'spec.source.repoURL', notes), expected);
      assert.equal(notes.converted.length, expected ? 1 : 0, 'a fetched URL is reported as converted');
    });
  }
});

describe('gitRef', () => {
  const cases: [string | undefined, object | undefined][] = [
    ['main', { branch: 'main' }],
    ['release/1.x-hotfix', { branch: 'release/1.x-hotfix' }],
    ['refs/heads/v2', { branch: 'v2' }],
    ['refs/tags/prod', { tag: 'prod' }],
    ['v1.4.3', { tag: 'v1.4.3' }],
    ['2.0.0-rc.1', { tag: '2.0.0-rc.1' }],
    ['1.2.*', { semver: '1.2.*' }],
    ['>=1.0.0 <2.0.0', { semver: '>=1.0.0 <2.0.0' }],
    ['53E28FF20CC530B9ADA2173FBBD64D48338583BA', { commit: '53e28ff20cc530b9ada2173fbbd64d48338583ba' }],
    ['HEAD', undefined],
    [undefined, undefined],
  ];
  for (const [revision, ref] of cases) {
    it(`reads targetRevision ${revision ?? '(none)'} as ${JSON.stringify(ref)}`, () => {
      const notes = new ImportNotes();
      assert.deepEqual(gitRef(revision, 'spec.source.targetRevision', notes), ref);
      if (ref === undefined) {
        const [note] = notes.notCarried;
        assert.match(note!.reason, /follows branch "main"/, 'HEAD is listed: Keelson does not ask the remote');
      }
    });
  }
});

describe('repository names', () => {
  it('names a GitRepository after the last segment of its URL', () => {
    assert.equal(repositoryName('https://github.com/argoproj/argocd-example-apps.git'), 'argocd-example-apps');
    assert.equal(repositoryName('https://git.example.com/Team/My_Repo/'), 'my-repo');
    assert.equal(repositoryName('https://git.example.com/'), 'git-example-com');
  });

  it('shares one name per URL and ref, and tells other refs of the same URL apart', () => {
    const names = new RepositoryNames();
    const url = 'https://github.com/acme/shop.git';
    assert.equal(names.nameOf({ url, ref: { branch: 'main' } }), 'shop');
    assert.equal(names.nameOf({ url, ref: { branch: 'main' } }), 'shop');
    assert.equal(names.nameOf({ url, ref: { tag: 'v1.0.0' } }), 'shop-v1-0-0');
    assert.equal(names.nameOf({ url, ref: { commit: '53e28ff20cc530b9ada2173fbbd64d48338583ba' } }), 'shop-53e28ff');
    assert.equal(names.nameOf({ url }), 'shop-2');
    assert.equal(names.nameOf({ url: 'https://git.example.com/other/shop.git', ref: { branch: 'main' } }), 'shop-main');
  });
});
