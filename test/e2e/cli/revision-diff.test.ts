// `keelson diff <dir> --env --from --to` as a pull request check runs it, no cluster: a Git
// repository on disk with two commits of a small deploy repository (a ConfigMap changed, a
// Service added, a ConfigMap removed, a Secret's value changed, a PassSecret left alone),
// both synthesized here and compared. The text names each object and exits 1; the Markdown
// has a <details> section per object and neither Secret value nor its base64; one revision
// against itself is "no changes" (exit 0); an unknown revision exits 2 naming it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../operator/src/cli/main.ts';
import { GitTestRepo } from '../../harness/git-test-repo.ts';
import { REPO_ROOT } from '../../harness/kube.ts';

const work = mkdtempSync(join(tmpdir(), 'keelson-revision-diff-'));
const env = { ...process.env, KEELSON_CACHE: join(work, 'cache') };
const dir = join(work, 'deploy');

const OLD_PASSWORD = 'old-password-r3v';
const NEW_PASSWORD = 'new-password-r3v';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function mainTs(options: { setting: string; password: string; second: boolean }): string {
  const objects = options.second
    ? `new kplus.Service(app, 'web', { metadata: { name: 'web' }, ports: [{ port: 80 }], selector: kplus.Pods.select(app, 'sel', { labels: { app: 'web' } }) });`
    : `new kplus.ConfigMap(app, 'old', { metadata: { name: 'legacy' }, data: { x: 'y' } });`;
  return `import { App, PassSecret, defineEnvironments } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-27';
export default defineEnvironments({
  dev: (env) => {
    const app = new App(env, 'api');
    new kplus.ConfigMap(app, 'cm', { metadata: { name: 'settings' }, data: { a: '${options.setting}' } });
    ${objects}
    new kplus.Secret(app, 's', { metadata: { name: 'creds' }, stringData: { password: '${options.password}' } });
    new PassSecret(app, 'db', { metadata: { name: 'db' }, data: { password: 'dev/db' } });
  },
});
`;
}

async function keelson(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env,
    cwd: REPO_ROOT,
    isTty: false,
  });
  return { code, out, err };
}

describe('keelson diff <dir> --from --to', { timeout: 300_000 }, () => {
  let first = '';
  let second = '';

  before(async () => {
    execFileSync('git', ['init', '-q', '-b', 'main', dir]);
    const repo = new GitTestRepo('deploy', join(dir, '.git'), '');
    first = await repo.commit(
      { 'apps/main.ts': mainTs({ setting: 'b', password: OLD_PASSWORD, second: false }), README: 'r\n' },
      'first',
    );
    second = await repo.commit(
      { 'apps/main.ts': mainTs({ setting: 'c', password: NEW_PASSWORD, second: true }) },
      'second',
    );
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('names what is added, removed and changed, Secret values masked, and exits 1', async () => {
    const r = await keelson('diff', dir, '--env', 'dev', '--path', 'apps', '--from', first.slice(0, 8), '--to', 'main');
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /^# dev \(apps\): [0-9a-f]{8} \([0-9a-f]{12}\) → main \([0-9a-f]{12}\)\n/);
    assert.match(r.out, /# 1 added, 1 removed, 2 changed\n/);
    assert.match(r.out, /\+\+\+ main ConfigMap settings\n@@ \/data\/a @@\n- "b"\n\+ "c"/);
    assert.match(r.out, /\+\+\+ main Service web\n@@ added in main @@/);
    assert.match(r.out, /\+\+\+ main ConfigMap legacy\n@@ removed in main @@/);
    assert.match(r.out, /\+\+\+ main Secret creds\n@@ \/data\/password @@\n- <secret>\n\+ <secret, changed>/);
    assert.doesNotMatch(r.out, /Secret db/, 'the PassSecret did not change');
    assert.match(r.out, /values in the pass store are not compared/);
    for (const leak of [OLD_PASSWORD, NEW_PASSWORD, b64(OLD_PASSWORD), b64(NEW_PASSWORD)])
      assert.ok(!r.out.includes(leak) && !r.err.includes(leak), `the output holds ${leak}`);
  });

  it('writes Markdown for a pull request comment: a section per object, no Secret value', async () => {
    // --to defaults to HEAD.
    const r = await keelson('diff', dir, '-e', 'dev', '--path', 'apps', '--from', 'HEAD~1', '-o', 'markdown');
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /^### dev \(apps\): HEAD~1 .* → HEAD /);
    assert.match(r.out, /\*\*1 added, 1 removed, 2 changed\*\*/);
    assert.equal(r.out.match(/<details>/g)?.length, 4);
    for (const what of [
      'added: <code>Service web',
      'removed: <code>ConfigMap legacy',
      'changed: <code>ConfigMap settings',
      'changed: <code>Secret creds',
    ])
      assert.ok(r.out.includes(`<summary>${what}</code>`), what);
    assert.match(r.out, /```diff\n--- HEAD~1 Secret creds\n/);
    for (const leak of [OLD_PASSWORD, NEW_PASSWORD, b64(OLD_PASSWORD), b64(NEW_PASSWORD)])
      assert.ok(!r.out.includes(leak), `the comment holds ${leak}`);
  });

  it('says "no changes" and exits 0 for one revision against itself', async () => {
    const r = await keelson('diff', dir, '--env', 'dev', '--path', 'apps', '--from', second, '--to', 'main');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /# no changes\n/);
    const md = await keelson('diff', dir, '--env', 'dev', '--path', 'apps', '--from', 'main', '-o', 'markdown');
    assert.equal(md.code, 0, md.err);
    assert.match(md.out, /No changes\./);
  });

  it('exits 2 naming an unknown revision, and a usage error without --from', async () => {
    const r = await keelson('diff', dir, '--env', 'dev', '--from', 'no-such-branch');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown revision "no-such-branch"/);
    assert.equal(r.out, '');
    const usage = await keelson('diff', dir, '--env', 'dev', '--to', 'main');
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--from is required/);
  });
});
