// Synthesis of a deploy repository with its own package.json and lockfile, against a real npm
// registry (Verdaccio, proxying the public registry for cdk8s-plus-33): its code runs with the
// packages it pinned — cdk8s-plus-33, a construct library, a private package whose token comes
// from the caller, the kit from the registry — installed outside the sandbox and bundled into the
// worker once. A package that needs a Node built-in, or an import of a package the repository
// did not install, fails with a clear error naming it; a repository whose dependencies are only
// Keelson's own packages keeps Keelson's warm copies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyStore } from '../../../operator/src/adapters/npm/dependency-store.ts';
import { DirectoryTree } from '../../../operator/src/adapters/source/directory-tree.ts';
import { Synthesizer } from '../../../operator/src/adapters/synth/synthesizer.ts';
import { SynthesisError } from '../../../operator/src/core/synthesis-check.ts';
import { REPO_ROOT } from '../../harness/kube.ts';
import { NpmRegistry } from '../../harness/npm-registry.ts';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'npm');
const KIT = join(REPO_ROOT, '.keelson', 'kit', 'keelson-cdk8s-app-0.1.0.tgz');
const PLUS_33 = '2.5.57';
const work = mkdtempSync(join(tmpdir(), 'keelson-npm-synth-'));
let registry: NpmRegistry;
let synthesizer: Synthesizer;
let counter = 0;

const DEPENDENCIES = {
  '@keelson/cdk8s-app': '0.1.0',
  cdk8s: '2.70.106',
  constructs: '10.8.1',
  'cdk8s-plus-33': PLUS_33,
  'acme-constructs': '1.0.0',
  '@acme-private/platform': '2.1.0',
};
const MAIN = `import { App, defineEnvironments } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-33';
import { WebService } from 'acme-constructs';
import { standardLabels } from '@acme-private/platform';

export default defineEnvironments({
  dev: (env) => {
    const app = new App(env, 'shop', { labels: standardLabels('shop') });
    new WebService(app, 'storefront', { image: 'ghcr.io/acme/storefront:3.1.0', replicas: 2 });
    new kplus.ConfigMap(app, 'settings', { metadata: { name: 'settings' }, data: { plus: 'cdk8s-plus-33' } });
  },
});
`;

/** A deploy repository in `deploy/` with package.json, the lockfile npm wrote against the registry, and .npmrc. */
async function deployRepo(dependencies: Record<string, string>, main: string): Promise<DirectoryTree> {
  const root = join(work, `repo-${++counter}`);
  const dir = join(root, 'deploy');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'deploy', private: true, dependencies }, null, 2));
  writeFileSync(join(dir, '.npmrc'), `registry=${registry.url}\n@acme-private:registry=${registry.url}\n`);
  writeFileSync(join(dir, 'main.ts'), main);
  await registry.npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: dir });
  return new DirectoryTree(root);
}

async function failure(promise: Promise<unknown>): Promise<SynthesisError> {
  const err = await promise.then(
    () => assert.fail('the synthesis succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SynthesisError, String(err));
  return err;
}

describe('a deploy repository with its own packages', { timeout: 600_000 }, () => {
  before(async () => {
    registry = await NpmRegistry.start({ uplink: true });
    for (const name of ['acme-constructs', 'acme-private-platform', 'needs-child-process']) {
      await registry.publish(join(FIXTURES, name));
    }
    await registry.publish(KIT);
    synthesizer = new Synthesizer({
      cacheDir: join(tmpdir(), 'keelson-test-cache', 'synth'),
      size: 1,
      timeoutMs: 30_000,
      dependencies: new DependencyStore({ cacheDir: join(work, 'npm'), defaultRegistry: registry.url }),
    });
    await synthesizer.start();
  });
  after(async () => {
    await synthesizer?.stop();
    await registry?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs with the packages it pinned: cdk8s-plus-33, a construct library, a private package', async () => {
    const tree = await deployRepo(DEPENDENCIES, MAIN);
    const source = { tree, path: 'deploy', npmAccess: () => ({ token: registry.token }) };
    const { result } = await synthesizer.synthesize(source, 'dev');
    const objects = result.apps.flatMap((a) => a.objects);
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'storefront');
    assert.ok(deployment, JSON.stringify(objects.map((o) => `${o.kind}/${o.metadata.name}`)));
    assert.equal(deployment.metadata.labels?.['acme.example/team'], 'shop', "the private package's labels");
    assert.ok(objects.some((o) => o.kind === 'Service' && o.metadata.name === 'storefront'));
    assert.deepEqual(objects.find((o) => o.kind === 'ConfigMap')?.data, { plus: 'cdk8s-plus-33' });
    // Warm: the same revision again is served by the worker that loaded the packages.
    const again = await synthesizer.synthesize(source, 'dev');
    assert.deepEqual(again.result.apps, result.apps);
  });

  it('refuses a package that needs a Node built-in, naming it and the chain that imports it', async () => {
    const tree = await deployRepo(
      { ...DEPENDENCIES, 'needs-child-process': '1.0.0' },
      `import 'needs-child-process';\n${MAIN}`,
    );
    const err = await failure(
      synthesizer.synthesize({ tree, path: 'deploy', npmAccess: () => ({ token: registry.token }) }, 'dev'),
    );
    assert.equal(err.reason, 'BuildFailed');
    assert.match(
      err.message,
      /package "needs-child-process" imports the Node\.js built-in "node:child_process" \(the deploy repository → needs-child-process\)/,
    );
  });

  it('refuses an import of a package the repository did not install', async () => {
    const { 'acme-constructs': _, ...without } = DEPENDENCIES;
    const tree = await deployRepo(without, MAIN);
    const err = await failure(
      synthesizer.synthesize({ tree, path: 'deploy', npmAccess: () => ({ token: registry.token }) }, 'dev'),
    );
    assert.equal(err.reason, 'BuildFailed');
    assert.match(
      err.message,
      /main\.ts:3:\d+: package "acme-constructs" is not among the dependencies of the deploy repository's package\.json/,
    );
  });

  it('a private package without its token: DependenciesFailed, the token never in the message', async () => {
    const tree = await deployRepo(DEPENDENCIES, MAIN);
    const other = new Synthesizer({
      cacheDir: join(tmpdir(), 'keelson-test-cache', 'synth'),
      size: 1,
      dependencies: new DependencyStore({
        cacheDir: join(work, 'npm-anonymous'),
        defaultRegistry: registry.url,
        retries: 0,
      }),
    });
    await other.start();
    try {
      const err = await failure(other.synthesize({ tree, path: 'deploy' }, 'dev'));
      assert.equal(err.reason, 'DependenciesFailed');
      assert.match(err.message, /@acme-private\/platform/);
      assert.doesNotMatch(err.message, new RegExp(registry.token));
    } finally {
      await other.stop();
    }
  });

  it("a repository whose dependencies are Keelson's own packages keeps Keelson's, with no install", async () => {
    const root = join(work, 'provided');
    mkdirSync(join(root, 'deploy'), { recursive: true });
    writeFileSync(
      join(root, 'deploy', 'package.json'),
      JSON.stringify({
        dependencies: {
          '@keelson/cdk8s-app': 'file:kit.tgz',
          cdk8s: '2.70.106',
          'cdk8s-plus-27': '^2.9.5',
          constructs: '10.8.1',
        },
        devDependencies: { typescript: '7.0.0' },
      }),
    );
    writeFileSync(
      join(root, 'deploy', 'main.ts'),
      `import { App, defineEnvironments } from '@keelson/cdk8s-app';
import * as kplus from 'cdk8s-plus-27';
export default defineEnvironments({ dev: (env) => { new kplus.ConfigMap(new App(env, 'a'), 'c', { metadata: { name: 'c' } }); } });
`,
    );
    const { result } = await synthesizer.synthesize({ tree: new DirectoryTree(root), path: 'deploy' }, 'dev');
    assert.equal(result.apps[0]!.objects[0]!.kind, 'ConfigMap');
  });
});
