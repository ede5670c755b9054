// `keelson set-image` as CI runs it, as separate processes against the real smart-HTTP Git
// server of the harness (git http-backend with basic auth): a bump lands (a native clone
// shows the file, byte for byte but the tag, and the commit message with the CI run); the
// same bump again pushes nothing; a wrong token fails clearly without printing it; an
// undeclared name lists the declared ones; an invalid reference says what is wrong; and
// ten runs at once for ten images on one branch all land, each its own commit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GitServer } from '../../harness/git-server.ts';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(REPO_ROOT, 'operator', 'src', 'cli', 'main.ts');
const runGit = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const IMAGES = `{
  "dev": {
    "api": "ghcr.io/acme/shop-api:1.5.0-rc.2",
    "web": "ghcr.io/acme/shop-web:2.1.0-rc.1"
  },
  "prod": {
    "api": "ghcr.io/acme/shop-api:1.4.3",
    "web": "ghcr.io/acme/shop-web:2.0.7"
  }
}
`;

let server: GitServer;
const tmp = mkdtempSync(join(tmpdir(), 'keelson-set-image-e2e-'));
/** Every output of every run, to check that the token never shows. */
const outputs: string[] = [];

/** The environment of a CI job: only what the test sets, none of the runner's own Git or CI variables. */
function ciEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(GIT_|GITHUB_|KEELSON_|CI_)/.test(k) && k !== 'GITHUB_TOKEN') env[k] = v;
  return {
    ...env,
    KEELSON_GIT_USERNAME: server.credentials.username,
    KEELSON_GIT_TOKEN: server.credentials.password,
    ...extra,
  };
}

function setImage(args: readonly string[], env: NodeJS.ProcessEnv = ciEnv()): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'set-image', ...args], { cwd: REPO_ROOT, env }, (err, stdout, stderr) => {
      outputs.push(stdout, stderr);
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A native `git clone` of the branch, as a person checking the result would do. */
async function clone(name: string): Promise<string> {
  const dir = mkdtempSync(join(tmp, `${name}-`));
  await runGit('git', ['clone', '--quiet', '--branch', 'main', server.authenticatedUrl(name), dir]);
  return dir;
}

async function git(dir: string, ...args: string[]): Promise<string> {
  return (await runGit('git', ['-C', dir, ...args])).stdout;
}

before(async () => {
  server = await GitServer.start();
});

after(async () => {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('keelson set-image', () => {
  it('sets the image, commits naming it and the CI run, and pushes', async () => {
    const repo = await server.createRepo('bump', { 'images.json': IMAGES, 'README.md': '# deploy\n' });
    const before = await repo.head();
    const r = await setImage(
      ['api=ghcr.io/acme/shop-api:1.6.0', '--repo', repo.url],
      ciEnv({
        GITHUB_RUN_URL: 'https://github.com/acme/shop/actions/runs/4242',
        GIT_AUTHOR_NAME: 'Shop CI',
        GIT_AUTHOR_EMAIL: 'ci@acme.example',
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^pushed [0-9a-f]{12} to "main": api=ghcr\.io\/acme\/shop-api:1\.6\.0 \(dev, prod\)\n$/);

    const dir = await clone('bump');
    assert.equal(
      readFileSync(join(dir, 'images.json'), 'utf8'),
      IMAGES.replace('1.5.0-rc.2', '1.6.0').replace('1.4.3', '1.6.0'),
    );
    assert.equal(readFileSync(join(dir, 'README.md'), 'utf8'), '# deploy\n');
    assert.equal(await git(dir, 'rev-parse', 'HEAD^'), `${before}\n`);
    assert.equal(
      await git(dir, 'log', '-1', '--format=%B'),
      [
        'set-image api=ghcr.io/acme/shop-api:1.6.0 (dev, prod)',
        '',
        'dev.api: ghcr.io/acme/shop-api:1.5.0-rc.2 -> ghcr.io/acme/shop-api:1.6.0',
        'prod.api: ghcr.io/acme/shop-api:1.4.3 -> ghcr.io/acme/shop-api:1.6.0',
        '',
        'CI run: https://github.com/acme/shop/actions/runs/4242',
        '',
        '',
      ].join('\n'),
    );
    assert.equal(await git(dir, 'log', '-1', '--format=%an <%ae>'), 'Shop CI <ci@acme.example>\n');
    assert.equal(await git(dir, 'diff', '--name-only', 'HEAD^', 'HEAD'), 'images.json\n');
  });

  it('sets one environment with --env, in a folder with --path, under keelson-ci by default', async () => {
    const repo = await server.createRepo('scoped', { 'deploy/images.json': IMAGES, 'main.ts': 'export {};\n' });
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const r = await setImage([
      `web=ghcr.io/acme/shop-web@${digest}`,
      '--env',
      'prod',
      '--path',
      'deploy',
      '--repo',
      repo.url,
      '--message',
      'release web',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const dir = await clone('scoped');
    assert.equal(
      readFileSync(join(dir, 'deploy', 'images.json'), 'utf8'),
      IMAGES.replace('shop-web:2.0.7', `shop-web@${digest}`),
    );
    assert.match(
      await git(dir, 'log', '-1', '--format=%B'),
      /^release web\n\nprod\.web: .* -> ghcr\.io\/acme\/shop-web@sha256:/,
    );
    assert.equal(await git(dir, 'log', '-1', '--format=%an'), 'keelson-ci\n');
  });

  it('pushes nothing when the reference is already set', async () => {
    const repo = await server.createRepo('noop', { 'images.json': IMAGES });
    const first = await setImage(['api=ghcr.io/acme/shop-api:1.6.0', '--repo', repo.url]);
    assert.equal(first.code, 0, first.stderr);
    const tip = await repo.head();
    const pushes = server.requestsFor('noop', 'push');

    const again = await setImage(['api=ghcr.io/acme/shop-api:1.6.0', '--repo', repo.url]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /images\.json on "main" already has api=ghcr\.io\/acme\/shop-api:1\.6\.0 \(dev, prod\): nothing to push/,
    );
    assert.equal(await repo.head(), tip);
    assert.equal(server.requestsFor('noop', 'push'), pushes);
  });

  it('fails clearly with a wrong token, and never prints it', async () => {
    const repo = await server.createRepo('auth', { 'images.json': IMAGES });
    const tip = await repo.head();
    const wrong = 'wrong-token-9f8e7d6c5b4a';
    for (const env of [
      ciEnv({ KEELSON_GIT_TOKEN: wrong }),
      ciEnv({ KEELSON_GIT_TOKEN: undefined, GITHUB_TOKEN: wrong }),
    ]) {
      const r = await setImage(['api=ghcr.io/acme/shop-api:9.9.9', '--repo', repo.url], env);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /authentication failed for http:\/\/127\.0\.0\.1:\d+\/auth\.git \(HTTP 401\): check KEELSON_GIT_TOKEN/,
      );
      const all = r.stdout + r.stderr;
      assert.ok(!all.includes(wrong) && !all.includes(Buffer.from(`keelson:${wrong}`).toString('base64')), all);
    }
    assert.equal(await repo.head(), tip);
  });

  it('lists the declared names for an image the file does not declare', async () => {
    const repo = await server.createRepo('undeclared', { 'images.json': IMAGES });
    const r = await setImage(['worker=ghcr.io/acme/shop-worker:1.0.0', '--repo', repo.url]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /images\.json has no image "worker" in any environment \(it has: api, web\)/);
    const scoped = await setImage(['worker=ghcr.io/acme/shop-worker:1.0.0', '--env', 'staging', '--repo', repo.url]);
    assert.equal(scoped.code, 1);
    assert.match(scoped.stderr, /images\.json has no environment "staging" \(it has: dev, prod\)/);
    assert.equal(server.requestsFor('undeclared', 'push'), 0);
  });

  it('refuses an invalid reference, saying what is wrong, before contacting the server', async () => {
    const repo = await server.createRepo('invalid', { 'images.json': IMAGES });
    const cases: [string, RegExp][] = [
      ['api=ghcr.io/acme/Shop-API:1.0', /repository path component "Shop-API" must be lowercase/],
      ['api=ghcr.io/acme/shop-api:1.0+build', /tag "1\.0\+build" has "\+" where it may not/],
      ['api=ghcr.io/acme/shop-api@sha256:abc', /a sha256 digest is 64 lowercase hex digits/],
      ['api=ghcr.io/acme/shop-api', /neither a tag nor a digest/],
      ['ghcr.io/acme/shop-api:1.0', /is not <name>=<image>:<tag>/],
    ];
    for (const [arg, message] of cases) {
      const r = await setImage([arg, '--repo', repo.url]);
      assert.equal(r.code, 2, arg);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /usage: keelson set-image/);
    }
    assert.equal(server.requestsFor('invalid'), 0);
  });

  it('fails at once when the server refuses the push although the branch did not move', async () => {
    const repo = await server.createRepo('hooked', { 'images.json': IMAGES });
    const hook = join(repo.gitDir, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "main is protected" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const tip = await repo.head();
    const r = await setImage(['api=ghcr.io/acme/shop-api:1.6.0', '--repo', repo.url]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused the push to "main": .*pre-receive hook declined/s);
    assert.doesNotMatch(r.stderr, /applying the change again/);
    assert.equal(server.requestsFor('hooked', 'push'), 1);
    assert.equal(await repo.head(), tip);
  });

  it('lands ten concurrent runs for ten images on one branch, none lost', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `app${i}`);
    const initial = `{\n  "dev": {\n${names.map((n) => `    "${n}": "registry.example:5000/acme/${n}:1.0.0"`).join(',\n')}\n  }\n}\n`;
    const repo = await server.createRepo('race', { 'images.json': initial });
    const runs = await Promise.all(
      names.map((n, i) =>
        setImage(
          [`${n}=registry.example:5000/acme/${n}:2.0.0`, '--repo', repo.url],
          ciEnv({ GITHUB_RUN_ID: String(100 + i) }),
        ),
      ),
    );
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    // The runs raced: some push found the branch moved and applied its change again on the new tip.
    assert.ok(runs.some((r) => /applying the change again on [0-9a-f]{12}/.test(r.stderr)));

    const dir = await clone('race');
    const want = names.reduce((text, n) => text.replace(`acme/${n}:1.0.0`, `acme/${n}:2.0.0`), initial);
    assert.equal(readFileSync(join(dir, 'images.json'), 'utf8'), want);
    const subjects = (await git(dir, 'log', '--format=%s', 'main')).trim().split('\n');
    assert.equal(subjects.length, 11, subjects.join('\n'));
    assert.deepEqual(
      subjects
        .slice(0, 10)
        .map((s) => /^set-image (app\d)=/.exec(s)?.[1])
        .sort(),
      names,
    );
    // Each commit changes exactly one line: its own image, on top of all the others.
    for (let i = 0; i < 10; i++) {
      const diff = await git(dir, 'diff', '--numstat', `HEAD~${i + 1}`, `HEAD~${i}`);
      assert.equal(diff, '1\t1\timages.json\n');
    }
  });

  it('never printed a token', () => {
    const all = outputs.join('\n');
    assert.ok(outputs.length > 0);
    assert.ok(!all.includes(server.credentials.password), 'the token appears in an output');
    assert.ok(
      !all.includes(Buffer.from(`${server.credentials.username}:${server.credentials.password}`).toString('base64')),
    );
  });
});
