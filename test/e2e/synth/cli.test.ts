// `npx keelson synth` and `npx keelson envs` from the repository root, as a user runs them:
// YAML on stdout, one file per app with --out, a non-zero exit and a readable message on error.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../harness/kube.ts';
import { deployRepo, mainWith, removeDeployRepos } from './deploy-repo-fixture.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function keelson(...args: string[]): Promise<Run> {
  const env = { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['--no-install', 'keelson', ...args],
      { cwd: REPO_ROOT, env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const out = mkdtempSync(join(tmpdir(), 'keelson-synth-out-'));

describe('keelson synth and envs', () => {
  after(() => {
    rmSync(out, { recursive: true, force: true });
    removeDeployRepos();
  });

  it('synth prints the environment as multi-document YAML', async () => {
    const run = await keelson('synth', 'cdk8s-app/example', '--env', 'prod');
    assert.equal(run.code, 0, run.stderr);
    const docs = parseAllDocuments(run.stdout).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: { replicas?: number } },
    );
    assert.ok(docs.length >= 11);
    assert.equal(docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'api')?.spec?.replicas, 3);
  });

  it('synth --out writes one file per app', async () => {
    const run = await keelson('synth', 'cdk8s-app/example', '--env', 'dev', '--out', out);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'api.yaml',
      'cache.yaml',
      'platform.yaml',
      'reports.yaml',
      'status.yaml',
      'web.yaml',
      'worker.yaml',
    ]);
    assert.match(readFileSync(join(out, 'web.yaml'), 'utf8'), /kind: Ingress/);
  });

  it('envs lists the environments and their apps', async () => {
    const run = await keelson('envs', 'cdk8s-app/example');
    assert.equal(run.code, 0, run.stderr);
    const apps = 'api, worker, web, cache, reports, status, platform';
    assert.match(run.stdout, new RegExp(`^ENVIRONMENT\\s+APPS\ndev\\s+${apps}\nprod\\s+${apps}\n$`));
  });

  it('what the deploy repository prints goes to stderr, not into the YAML', async () => {
    const repo = deployRepo(
      mainWith(`console.log('building dev'); new kplus.ConfigMap(app, 'cm', { metadata: { name: 'c' } });`),
    );
    const run = await keelson('synth', repo.root, '--env', 'dev');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\[deploy repo\] building dev/);
    assert.doesNotMatch(run.stdout, /building dev/);
  });

  it('synth of a folder of a Git working tree sees the whole tree, as the operator sees the repository', async () => {
    const files = mainWith(
      `new Include(app, 'shared', { url: '../manifests/shared.yaml' });`,
      `import { Include } from 'cdk8s';`,
    );
    const repo = deployRepo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'manifests/shared.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\n',
      ...Object.fromEntries(Object.entries(files).map(([path, text]) => [`deploy/${path}`, text])),
    });
    const run = await keelson('synth', join(repo.root, 'deploy'), '--env', 'dev');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /kind: ConfigMap\n(.*\n)*?\s+name: shared/);
    // Outside a working tree the folder is the repository, and ../ leaves it.
    const alone = deployRepo(files);
    const outside = await keelson('synth', alone.root, '--env', 'dev');
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /outside the repository|leaves the repository/);
  });

  const failures: { name: string; args: () => string[]; code: number; stderr: RegExp }[] = [
    {
      name: 'an unknown environment',
      args: () => ['synth', 'cdk8s-app/example', '--env', 'qa'],
      code: 1,
      stderr: /(^|\n)keelson synth: the deploy repository defines no environment "qa" \(it defines: dev, prod\)\n$/,
    },
    {
      name: 'a missing --env',
      args: () => ['synth', 'cdk8s-app/example'],
      code: 2,
      stderr: /--env is required[\s\S]*usage: keelson synth/,
    },
    {
      name: 'a directory without an entry point',
      args: () => ['synth', 'docs', '--env', 'dev'],
      code: 1,
      stderr: /no entry point in "docs": expected one of main\.ts/,
    },
    {
      name: 'a syntax error, with file and line',
      args: () => ['envs', deployRepo({ 'main.ts': 'export default {\n  dev: (env) => {\n}\n' }).root],
      code: 1,
      stderr: /main\.ts:4:0?\d*: Expected "}" but found end of file|main\.ts:\d+:\d+: Expected/,
    },
  ];
  for (const f of failures) {
    it(`exits ${f.code} with a readable message on ${f.name}`, async () => {
      const run = await keelson(...f.args());
      assert.equal(run.code, f.code, run.stderr);
      assert.match(run.stderr, f.stderr);
      assert.equal(run.stdout, '');
    });
  }
});
