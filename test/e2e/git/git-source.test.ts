// The Git source against a real `git http-backend` with basic auth: ref resolution, the
// shared per-URL cache, failures in words a user can act on, and cleanup.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  GitSource,
  GitSourceError,
  type GitRequestSample,
  type RefreshRequest,
} from '../../../operator/src/adapters/git/git-source.ts';
import { GitServer } from '../../harness/git-server.ts';

const run = promisify(execFile);
let server: GitServer;
let cacheDir: string;

before(async () => {
  server = await GitServer.start();
  cacheDir = mkdtempSync(join(tmpdir(), 'keelson-cache-'));
});
after(async () => {
  await server.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

function newSource(
  samples: GitRequestSample[] = [],
  extra: Partial<ConstructorParameters<typeof GitSource>[0]> = {},
): GitSource {
  return new GitSource({ cacheDir: mkdtempSync(join(cacheDir, 'src-')), onRequest: (s) => samples.push(s), ...extra });
}

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

async function failure(source: GitSource, req: RefreshRequest): Promise<GitSourceError['failure']> {
  const err = await source.refresh(req).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof GitSourceError, `expected a GitSourceError, got ${String(err)}`);
  return err.failure;
}

describe('GitSource', () => {
  it('follows a branch as it moves and fetches only when it moved', async () => {
    const repo = await server.createRepo('moves', { 'apps/dev.ts': 'v1', 'README.md': 'hi' });
    const samples: GitRequestSample[] = [];
    const source = newSource(samples);
    const req = { url: repo.url, credentials: server.credentials };
    const first = await source.refresh(req);
    assert.equal(first.fetched, true);
    assert.equal(first.artifact.revision, `main@sha1:${await repo.head()}`);
    assert.equal(text(await first.artifact.readFile('apps/dev.ts')), 'v1');

    const again = await source.refresh(req);
    assert.equal(again.fetched, false, 'an unchanged ref fetches nothing');
    const next = await repo.commit({ 'apps/dev.ts': 'v2' }, 'bump');
    const moved = await source.refresh(req);
    assert.equal(moved.fetched, true);
    assert.equal(moved.artifact.revision, `main@sha1:${next}`);
    assert.equal(text(await moved.artifact.readFile('apps/dev.ts')), 'v2');
    assert.equal(text(await first.artifact.readFile('apps/dev.ts')), 'v1', 'an artifact is immutable');
    assert.deepEqual(
      samples.map((s) => `${s.kind}:${s.result}`),
      ['ls-refs:success', 'fetch:success', 'ls-refs:success', 'ls-refs:success', 'fetch:success'],
    );
    assert.equal(samples[0]!.repository, repo.url);
  });

  it('reads directories and files from the object store without a checkout', async () => {
    const repo = await server.createRepo('tree', { 'a/b/c.txt': 'c', 'a/d.txt': 'd', 'top.txt': 't' });
    const source = newSource();
    const { artifact } = await source.refresh({ url: repo.url, credentials: server.credentials });
    assert.deepEqual(await artifact.readDir(''), [
      { name: 'a', type: 'dir' },
      { name: 'top.txt', type: 'file' },
    ]);
    assert.deepEqual(await artifact.readDir('./a/'), [
      { name: 'b', type: 'dir' },
      { name: 'd.txt', type: 'file' },
    ]);
    assert.equal(await artifact.readDir('missing'), undefined);
    assert.equal(await artifact.readDir('top.txt'), undefined);
    assert.equal(await artifact.readFile('a'), undefined, 'a directory is not a file');
    assert.equal(await artifact.readFile('nope.txt'), undefined);
    await assert.rejects(artifact.readFile('../etc/passwd'), /leaves the tree/);
    const files = readdirSync(cacheDir, { recursive: true }).map(String);
    assert.ok(!files.some((f) => f.endsWith('c.txt')), 'no file is checked out on disk');
  });

  it('reads every file of a deltified history exactly as git does', async () => {
    const repo = await server.createRepo('deltas', {});
    await repo.generateHistory({ commits: 60, files: 300 });
    await run('git', ['--git-dir', repo.gitDir, 'gc', '--quiet', '--aggressive']);
    const source = newSource();
    const { artifact } = await source.refresh({
      url: repo.url,
      credentials: server.credentials,
      ref: { branch: 'main' },
    });
    const { stdout } = await run('git', ['--git-dir', repo.gitDir, 'ls-tree', '-r', '--name-only', 'main']);
    const paths = stdout.trim().split('\n');
    assert.equal(paths.length, 300);
    for (const path of paths.filter((_, i) => i % 15 === 0)) {
      const expected = (await run('git', ['--git-dir', repo.gitDir, 'show', `main:${path}`])).stdout;
      assert.equal(text(await artifact.readFile(path)), expected, path);
    }
  });

  it('resolves tags, annotated and lightweight, and the highest tag in a semver range', async () => {
    const repo = await server.createRepo('tags', { 'v.txt': '1.0.0' });
    const c1 = await repo.tag('v1.0.0');
    const c2 = await repo.commit({ 'v.txt': '1.4.2' });
    await repo.tag('v1.4.2', 'main', true);
    const c3 = await repo.commit({ 'v.txt': '2.0.0' });
    await repo.tag('v2.0.0');
    const source = newSource();
    const cases: [RefreshRequest['ref'], string][] = [
      [{ tag: 'v1.0.0' }, `v1.0.0@sha1:${c1}`],
      [{ tag: 'v1.4.2' }, `v1.4.2@sha1:${c2}`],
      [{ semver: '^1.0.0' }, `v1.4.2@sha1:${c2}`],
      [{ semver: '>=1.0.0' }, `v2.0.0@sha1:${c3}`],
      [{ commit: c1 }, `HEAD@sha1:${c1}`],
    ];
    for (const [ref, revision] of cases) {
      const { artifact } = await source.refresh({ url: repo.url, credentials: server.credentials, ref });
      assert.equal(artifact.revision, revision, JSON.stringify(ref));
    }
    const { artifact } = await source.refresh({
      url: repo.url,
      credentials: server.credentials,
      ref: { semver: '^1.0.0' },
    });
    assert.equal(text(await artifact.readFile('v.txt')), '1.4.2');
  });

  it('follows a force-push that rewrote history', async () => {
    const repo = await server.createRepo('forced', { 'old.txt': 'old' });
    await repo.commit({ 'more.txt': 'more' });
    const source = newSource();
    await source.refresh({ url: repo.url, credentials: server.credentials });
    const rewritten = await repo.rewrite({ 'new.txt': 'new' });
    const { artifact, fetched } = await source.refresh({ url: repo.url, credentials: server.credentials });
    assert.equal(fetched, true);
    assert.equal(artifact.commit, rewritten);
    assert.deepEqual(await artifact.readDir(''), [{ name: 'new.txt', type: 'file' }]);
  });

  it('says what went wrong: wrong password, missing repository, missing ref, unreachable host', async () => {
    const repo = await server.createRepo('failures');
    const source = newSource();
    const cases: { name: string; req: RefreshRequest; reason: string; message: RegExp }[] = [
      {
        name: 'wrong password',
        req: { url: repo.url, credentials: { username: 'keelson', password: 'wrong' } },
        reason: 'AuthenticationFailed',
        message: /authentication failed .*spec\.secretRef/,
      },
      { name: 'no credentials', req: { url: repo.url }, reason: 'AuthenticationFailed', message: /HTTP 401/ },
      {
        name: 'missing repository',
        req: { url: server.url('nothing-here'), credentials: server.credentials },
        reason: 'RepositoryNotFound',
        message: /repository not found/,
      },
      {
        name: 'missing branch',
        req: { url: repo.url, credentials: server.credentials, ref: { branch: 'gone' } },
        reason: 'RefNotFound',
        message: /branch "gone" does not exist/,
      },
      {
        name: 'commit on no branch',
        req: { url: repo.url, credentials: server.credentials, ref: { commit: 'f'.repeat(40) } },
        reason: 'RefNotFound',
        message: /not reachable from any branch/,
      },
      {
        name: 'bad semver range',
        req: { url: repo.url, credentials: server.credentials, ref: { semver: 'one' } },
        reason: 'InvalidRef',
        message: /not a semver range/,
      },
      {
        name: 'nothing listening',
        req: { url: 'http://127.0.0.1:9/x.git' },
        reason: 'HostUnreachable',
        message: /cannot reach 127\.0\.0\.1:9/,
      },
    ];
    for (const c of cases) {
      const f = await failure(source, c.req);
      assert.equal(f.reason, c.reason, c.name);
      assert.match(f.message, c.message, c.name);
      assert.doesNotMatch(f.message, new RegExp(server.credentials.password), 'no password in messages');
    }
  });

  it('trusts a private server only with its CA bundle', async () => {
    const tlsServer = await GitServer.start({ tls: true });
    try {
      const repo = await tlsServer.createRepo('private', { 'x.txt': 'x' });
      const source = newSource();
      const untrusted = await failure(source, { url: repo.url, credentials: tlsServer.credentials });
      assert.equal(untrusted.reason, 'TLSVerificationFailed');
      assert.match(untrusted.message, /add the CA bundle as ca\.crt/);
      const { artifact } = await source.refresh({
        url: repo.url,
        credentials: { ...tlsServer.credentials, caBundle: tlsServer.caCert! },
      });
      assert.equal(text(await artifact.readFile('x.txt')), 'x');
      assert.match(repo.url, /^https:/);
    } finally {
      await tlsServer.stop();
    }
  });

  it('recovers when the server comes back, and keeps the last artifact readable meanwhile', async () => {
    const repo = await server.createRepo('downtime', { 'x.txt': 'x' });
    const source = newSource();
    const req = { url: repo.url, credentials: server.credentials };
    const { artifact } = await source.refresh(req);
    await server.pause();
    try {
      assert.equal((await failure(source, req)).reason, 'HostUnreachable');
      assert.equal(text(await artifact.readFile('x.txt')), 'x');
    } finally {
      await server.resume();
    }
    assert.equal((await source.refresh(req)).artifact.commit, artifact.commit);
  });

  it('gives up after the timeout on a server that does not answer', async () => {
    const repo = await server.createRepo('slow', { 'x.txt': 'x' });
    const source = newSource();
    server.responseDelayMs = 3000;
    try {
      const started = Date.now();
      const f = await failure(source, { url: repo.url, credentials: server.credentials, timeoutMs: 300 });
      assert.equal(f.reason, 'Timeout');
      assert.match(f.message, /spec\.timeout/);
      assert.ok(Date.now() - started < 2500, 'the timeout ends the request');
    } finally {
      server.responseDelayMs = 0;
    }
  });

  it('reads an earlier commit for a rollback, deepening the shallow cache', async () => {
    const repo = await server.createRepo('rollback', { 'v.txt': '1' });
    const first = await repo.head();
    await repo.commit({ 'v.txt': '2' });
    await repo.commit({ 'v.txt': '3' });
    const source = newSource();
    const req = { url: repo.url, credentials: server.credentials, ref: { branch: 'main' } };
    const { artifact } = await source.refresh(req);
    assert.equal(text(await artifact.readFile('v.txt')), '3');
    assert.equal(await source.open(repo.url, `main@sha1:${first}`), undefined, 'the first fetch is shallow');
    const old = await source.artifactAt(req, first!);
    assert.equal(old.revision, `main@sha1:${first}`);
    assert.equal(text(await old.readFile('v.txt')), '1');
    await assert.rejects(source.artifactAt(req, 'e'.repeat(40)), /not in the history/);
  });

  it('reads the tip for an empty cache (a restarted operator) with a shallow fetch', async () => {
    const repo = await server.createRepo('restart', {});
    const tip = await repo.generateHistory({ commits: 40, files: 40 });
    const source = newSource();
    const artifact = await source.artifactAt({ url: repo.url, credentials: server.credentials }, tip);
    assert.equal(artifact.commit, tip);
    assert.equal(
      await source.open(repo.url, `main@sha1:${await repo.resolve('main~1')}`),
      undefined,
      'only the tip was fetched',
    );
  });

  it('reports a deleted branch as RefNotFound', async () => {
    const repo = await server.createRepo('deleted', { 'x.txt': 'x' });
    await repo.branch('feature');
    const source = newSource();
    const req = { url: repo.url, credentials: server.credentials, ref: { branch: 'feature' } };
    await source.refresh(req);
    await repo.deleteRef('refs/heads/feature');
    assert.equal((await failure(source, req)).reason, 'RefNotFound');
  });

  it('shares one cache per URL: a second owner of the same URL fetches nothing', async () => {
    const repo = await server.createRepo('shared', { 'x.txt': 'x' });
    const source = newSource();
    const before = server.requestsFor('shared', 'fetch');
    const a = await source.refresh({ url: repo.url, credentials: server.credentials });
    const b = await source.refresh({ url: repo.url, credentials: server.credentials, ref: { branch: 'main' } });
    assert.equal(a.fetched, true);
    assert.equal(b.fetched, false);
    assert.equal(server.requestsFor('shared', 'fetch') - before, 1);
  });

  it('joins concurrent refreshes of one commit into one fetch', async () => {
    const repo = await server.createRepo('concurrent', { 'x.txt': 'x' });
    const source = newSource();
    const before = server.requestsFor('concurrent', 'fetch');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => source.refresh({ url: repo.url, credentials: server.credentials })),
    );
    assert.equal(new Set(results.map((r) => r.artifact.commit)).size, 1);
    assert.equal(server.requestsFor('concurrent', 'fetch') - before, 1);
  });

  it('keeps all caches together under maxCacheBytes by deleting the least recently used', async () => {
    const a = await server.createRepo('budget-a', { 'x.txt': 'a'.repeat(5000) });
    const b = await server.createRepo('budget-b', { 'x.txt': 'b'.repeat(5000) });
    let now = 1_000_000;
    const dir = mkdtempSync(join(cacheDir, 'budget-'));
    const source = new GitSource({ cacheDir: dir, maxCacheBytes: 1, clock: () => now });
    await source.refresh({ url: a.url, credentials: server.credentials });
    now += 1000;
    const { artifact } = await source.refresh({ url: b.url, credentials: server.credentials });
    assert.equal(readdirSync(dir).length, 2);
    await source.collectGarbage();
    assert.equal(readdirSync(dir).length, 1, 'the least recently used cache is deleted');
    assert.equal(
      text(await artifact.readFile('x.txt')),
      'b'.repeat(5000),
      'the most recent one stays, even over the budget',
    );
    assert.equal(
      (await source.refresh({ url: a.url, credentials: server.credentials })).fetched,
      true,
      'a deleted cache is fetched again',
    );
  });

  it('rebuilds a cache that outgrew its limit, deletes the old objects after the grace period and unused caches after the TTL', async () => {
    const repo = await server.createRepo('compaction', { 'x.txt': '0' });
    let now = 1_000_000;
    const dir = mkdtempSync(join(cacheDir, 'compact-'));
    const source = new GitSource({
      cacheDir: dir,
      maxPacksPerRepository: 2,
      retiredGraceMs: 60_000,
      unusedCacheTtlMs: 3_600_000,
      clock: () => now,
    });
    const req = { url: repo.url, credentials: server.credentials };
    let last;
    for (let i = 1; i <= 3; i++) {
      await repo.commit({ 'x.txt': String(i) });
      last = (await source.refresh(req)).artifact;
    }
    const generations = () => readdirSync(join(dir, readdirSync(dir)[0]!)).sort();
    assert.deepEqual(generations(), ['gen-0'], 'the retired generation is kept during the grace period');
    assert.equal(text(await last!.readFile('x.txt')), '3');
    const fresh = await source.refresh(req);
    assert.equal(fresh.fetched, true, 'the new generation fetches the tip again');
    now += 60_000;
    await source.collectGarbage();
    assert.deepEqual(generations(), ['gen-1']);
    assert.equal(text(await fresh.artifact.readFile('x.txt')), '3');
    now += 3_600_000;
    await source.collectGarbage();
    assert.deepEqual(readdirSync(dir), [], 'a cache no refresh used for the TTL is deleted');
  });
});
