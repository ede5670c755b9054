import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitCommitTree, NotAGitRepositoryError, UnknownRevisionError } from './git-commit-tree.ts';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

describe('GitCommitTree', () => {
  const work = mkdtempSync(join(tmpdir(), 'keelson-commit-tree-'));
  const repo = join(work, 'repo');
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, ...args], { env: ENV })
      .toString()
      .trim();
  let first = '';
  let second = '';

  before(() => {
    mkdirSync(join(repo, 'deploy'), { recursive: true });
    git('init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'deploy', 'main.ts'), 'one\n');
    writeFileSync(join(repo, 'README'), 'r\n');
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    first = git('rev-parse', 'HEAD');
    git('tag', '-a', '-m', 'v1', 'v1');
    writeFileSync(join(repo, 'deploy', 'main.ts'), 'two\n');
    git('commit', '-q', '-am', 'two');
    second = git('rev-parse', 'HEAD');
    // The working tree is not what is read.
    writeFileSync(join(repo, 'deploy', 'main.ts'), 'uncommitted\n');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('reads files and folders of a commit, not of the working tree', async () => {
    const tree = await GitCommitTree.open(join(repo, 'deploy'), 'main');
    assert.equal(tree.commit, second);
    assert.equal(tree.revision, `main@sha1:${second}`);
    assert.equal(Buffer.from((await tree.readFile('deploy/main.ts'))!).toString(), 'two\n');
    assert.deepEqual(await tree.readDir('.'), [
      { name: 'README', type: 'file' },
      { name: 'deploy', type: 'dir' },
    ]);
    assert.equal(await tree.readFile('missing.ts'), undefined);
    assert.equal(await tree.readFile('deploy'), undefined);
    assert.equal(await tree.readDir('README'), undefined);
    assert.equal(await tree.readDir('nope'), undefined);
  });

  it('resolves branches, HEAD, annotated tags, short ids and ~N', async () => {
    for (const [rev, commit] of [
      ['HEAD', second],
      ['v1', first],
      [first.slice(0, 7), first],
      [second, second],
      ['HEAD~1', first],
      ['main^', first],
    ] as const)
      assert.equal((await GitCommitTree.open(repo, rev)).commit, commit, rev);
    assert.equal(
      Buffer.from((await (await GitCommitTree.open(repo, 'v1')).readFile('deploy/main.ts'))!).toString(),
      'one\n',
    );
  });

  it('names an unknown revision, and a folder outside any repository', async () => {
    for (const rev of ['no-such-branch', 'deadbeef', 'HEAD~5'])
      await assert.rejects(GitCommitTree.open(repo, rev), (err) => {
        assert.ok(err instanceof UnknownRevisionError);
        assert.equal(err.revision, rev);
        return true;
      });
    const outside = mkdtempSync(join(tmpdir(), 'keelson-not-git-'));
    try {
      await assert.rejects(GitCommitTree.open(outside, 'main'), NotAGitRepositoryError);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
