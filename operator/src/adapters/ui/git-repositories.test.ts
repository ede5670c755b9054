import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GitRepositoryResource } from '../kubernetes/keelson-resources.ts';
import { GitRepositoryIndex, refText, toGitRepositoryRow } from './git-repositories.ts';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

function repo(namespace: string, name: string, extra: Partial<GitRepositoryResource> = {}): GitRepositoryResource {
  return {
    apiVersion: 'keelson.dev/v1alpha1',
    kind: 'GitRepository',
    metadata: { namespace, name },
    spec: { url: `https://git.example/${name}.git`, secretRef: { name: 'git-credentials' } },
    ...extra,
  } as GitRepositoryResource;
}

test('the ref as the page shows it, branch main when none is set', () => {
  assert.equal(refText(undefined), 'branch main');
  assert.equal(refText({ branch: 'release' }), 'branch release');
  assert.equal(refText({ tag: 'v1.2.0' }), 'tag v1.2.0');
  assert.equal(refText({ semver: '>=1.0.0' }), 'semver >=1.0.0');
  assert.equal(refText({ commit: COMMIT }), `commit ${COMMIT}`);
});

test('a fetched repository: its revision and when, Ready, no failure, no secret but its name in the object', () => {
  const row = toGitRepositoryRow(
    repo('shop', 'deploy', {
      status: {
        artifact: { revision: `main@sha1:${COMMIT}`, commit: COMMIT, fetchedAt: '2026-12-02T12:00:00Z' },
        conditions: [
          { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'fetched', lastTransitionTime: 'x' },
          { type: 'FetchFailed', status: 'False', reason: 'Succeeded', message: '', lastTransitionTime: 'x' },
        ],
      },
    } as Partial<GitRepositoryResource>),
  );
  assert.deepEqual(row, {
    namespace: 'shop',
    name: 'deploy',
    url: 'https://git.example/deploy.git',
    ref: 'branch main',
    interval: '1m',
    suspend: false,
    revision: `main@sha1:${COMMIT}`,
    fetchedAt: '2026-12-02T12:00:00Z',
    ready: { status: 'True', reason: 'Succeeded', message: 'fetched' },
    fetchFailed: undefined,
  });
  assert.doesNotMatch(JSON.stringify(row), /git-credentials/);
});

test('a failed fetch carries its message; a suspended repository says so', () => {
  const row = toGitRepositoryRow(
    repo('shop', 'deploy', {
      spec: { url: 'https://git.example/deploy.git', suspend: true, interval: '5m', ref: { tag: 'v1' } },
      status: {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'FetchFailed', message: 'no route', lastTransitionTime: 'x' },
          {
            type: 'FetchFailed',
            status: 'True',
            reason: 'GitError',
            message: 'no route to host',
            lastTransitionTime: 'x',
          },
        ],
      },
    } as Partial<GitRepositoryResource>),
  );
  assert.equal(row.fetchFailed, 'no route to host');
  assert.equal(row.ready.status, 'False');
  assert.equal(row.suspend, true);
  assert.equal(row.interval, '5m');
  assert.equal(row.ref, 'tag v1');
  assert.equal(row.revision, undefined);
});

test('the index lists the visible namespaces only, sorted, and tells its listeners of each change', () => {
  const index = new GitRepositoryIndex();
  const changes: string[] = [];
  const stop = index.subscribe((ns, name) => changes.push(`${ns}/${name}`));
  index.onGitRepository(repo('shop', 'deploy'), false);
  index.onGitRepository(repo('bank', 'deploy'), false);
  index.onGitRepository(repo('shop', 'config'), false);
  index.onGitRepository(repo('secret', 'deploy'), false);
  assert.deepEqual(index.namespaces(), new Set(['shop', 'bank', 'secret']));
  const names = (rows: { namespace: string; name: string }[]) => rows.map((r) => `${r.namespace}/${r.name}`);
  assert.deepEqual(names(index.rows(new Set(['shop', 'bank']))), ['bank/deploy', 'shop/config', 'shop/deploy']);
  assert.deepEqual(names(index.rows(new Set(['shop', 'bank']), 'shop')), ['shop/config', 'shop/deploy']);
  assert.deepEqual(names(index.rows(new Set(['shop']), 'secret')), []);
  index.onGitRepository(repo('shop', 'config'), true);
  assert.equal(index.get('shop', 'config'), undefined);
  assert.equal(index.get('shop', 'deploy')?.metadata.name, 'deploy');
  stop();
  index.onGitRepository(repo('shop', 'other'), false);
  assert.deepEqual(changes, ['shop/deploy', 'bank/deploy', 'shop/config', 'secret/deploy', 'shop/config']);
});
