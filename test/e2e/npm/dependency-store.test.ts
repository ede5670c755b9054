// The DependencyStore against a real npm registry (Verdaccio, test/harness/npm-registry.ts) with
// lockfiles the real npm CLI wrote: installed as pinned and served again from the disk with the
// registry down; a tampered integrity, a stale lockfile, a removed version, a private package
// without its token and a registry that is down each refused with their reason; no install script
// runs; the token never reaches a message, a log line or a file. No Kubernetes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  DependencyInstallError,
  DependencyStore,
  type DependencyFailureReason,
} from '../../../operator/src/adapters/npm/dependency-store.ts';
import { DirectoryTree } from '../../../operator/src/adapters/source/directory-tree.ts';
import { NpmRegistry, type PublishedPackage } from '../../harness/npm-registry.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/npm', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'keelson-npm-store-'));
const marker = join(work, 'postinstall-marker-ran');
let registry: NpmRegistry;
const published = new Map<string, PublishedPackage>();
const noToken = () => ({});
let counter = 0;

interface Project {
  readonly tree: DirectoryTree;
  /** The deploy repository's folder in the tree. */
  readonly path: string;
  /** The deploy folder on disk. */
  readonly dir: string;
  readonly lock: LockfileJson;
}

interface LockfileJson {
  packages: Record<string, { version?: string; integrity?: string; resolved?: string }>;
}

/**
 * A deploy repository whose `deploy/` has package.json, the package-lock.json that
 * `npm install --package-lock-only` wrote against the registry, and an .npmrc naming the registry
 * (with the token line a developer would have in it, which Keelson must ignore).
 */
async function deployRepo(
  dependencies: Record<string, string>,
  options: { npmArgs?: string[] } = {},
): Promise<Project> {
  const root = join(work, `repo-${++counter}`);
  const dir = join(root, 'deploy');
  mkdirSync(dir, { recursive: true });
  const manifest = { name: 'deploy', private: true, dependencies };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const npmrc = `${registry.npmrc()}@acme-private:registry=${registry.url}\nignore-scripts=false\n`;
  writeFileSync(join(dir, '.npmrc'), npmrc);
  await registry.npm(['install', '--package-lock-only', '--ignore-scripts', ...(options.npmArgs ?? [])], { cwd: dir });
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as LockfileJson;
  return { tree: new DirectoryTree(root), path: 'deploy', dir, lock };
}

function editLockfile(project: Project, edit: (lock: LockfileJson) => void): void {
  const lock = structuredClone(project.lock);
  edit(lock);
  writeFileSync(join(project.dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
}

function newStore(options: { maxEntries?: number; cacheDir?: string } = {}): {
  store: DependencyStore;
  cacheDir: string;
} {
  const cacheDir = options.cacheDir ?? join(work, `cache-${++counter}`);
  const store = new DependencyStore({
    cacheDir,
    defaultRegistry: registry.url,
    retries: 0,
    timeoutMs: 10_000,
    ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}),
  });
  return { store, cacheDir };
}

async function refusal(reason: DependencyFailureReason, promise: Promise<unknown>): Promise<DependencyInstallError> {
  const err = await promise.then(
    () => assert.fail(`expected ${reason}, the install succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof DependencyInstallError, `not a DependencyInstallError: ${String(err)}`);
  assert.equal(err.reason, reason, err.message);
  return err;
}

function version(dir: string, name: string): string {
  const manifest = readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** The registry's URL, escaped for a regular expression. */
function registryPattern(): string {
  return registry.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every file under a folder, for a search of a string. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('DependencyStore against a real registry', () => {
  before(async () => {
    registry = await NpmRegistry.start({ uplink: true });
    for (const name of readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const pkg = await registry.publish(join(FIXTURES, name.name));
      published.set(pkg.name, pkg);
    }
    // Where postinstall-marker writes should its script ever run.
    process.env.KEELSON_POSTINSTALL_MARKER = marker;
  });
  after(async () => {
    delete process.env.KEELSON_POSTINSTALL_MARKER;
    await registry?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('installs what the lockfile pins, then serves it from the disk with the registry down', async () => {
    const project = await deployRepo({ 'postinstall-marker': '^1.0.0', 'needs-child-process': '1.0.0' });
    const { store, cacheDir } = newStore();
    const first = await store.install(project.tree, project.path, noToken);
    assert.ok(first);
    assert.match(first.key, /^[0-9a-f]{64}$/);
    assert.equal(first.dir, join(cacheDir, first.key));
    assert.deepEqual(first.packages, [
      { name: 'needs-child-process', version: '1.0.0' },
      { name: 'postinstall-marker', version: '1.0.0' },
    ]);
    assert.equal(version(first.dir, 'postinstall-marker'), '1.0.0');
    assert.ok(existsSync(join(first.dir, 'node_modules', 'needs-child-process', 'index.js')));
    const tokenLine = `${registry.url.slice('http:'.length)}:_authToken`;
    assert.deepEqual(first.ignoredNpmrcSettings, [tokenLine, 'ignore-scripts']);
    await registry.stop();
    try {
      const again = await store.install(project.tree, project.path, noToken);
      assert.deepEqual(again, first);
      // A new store on the same disk (the operator restarted) finds it too.
      const restarted = await newStore({ cacheDir }).store.install(project.tree, project.path, noToken);
      assert.deepEqual(restarted, first);
    } finally {
      await registry.resume();
    }
    assert.deepEqual(readdirSync(join(cacheDir, '_tmp')), [], 'a work folder was left behind');
  });

  it('is null for a folder without package.json; refuses dependencies without a lockfile', async () => {
    const project = await deployRepo({ 'postinstall-marker': '1.0.0' });
    const { store } = newStore();
    assert.equal(await store.install(project.tree, 'elsewhere', noToken), null);
    rmSync(join(project.dir, 'package-lock.json'));
    const err = await refusal('NoLockfile', store.install(project.tree, project.path, noToken));
    assert.match(err.message, /deploy\/package\.json declares dependencies but there is no deploy\/package-lock\.json/);
    assert.match(err.message, /run `npm install` in deploy and commit/);
  });

  it('never runs an install script: postinstall-marker is installed, its postinstall is not run', async () => {
    const project = await deployRepo({ 'postinstall-marker': '1.0.0' });
    const installed = await newStore().store.install(project.tree, project.path, noToken);
    assert.ok(installed);
    assert.ok(existsSync(join(installed.dir, 'node_modules', 'postinstall-marker', 'postinstall.js')));
    assert.equal(existsSync(marker), false, 'the postinstall script ran (KEELSON_POSTINSTALL_MARKER)');
    assert.deepEqual(
      filesUnder(installed.dir).filter((f) => f.endsWith('keelson-postinstall-ran')),
      [],
    );
    assert.equal(existsSync(join(process.cwd(), 'keelson-postinstall-ran')), false);
    assert.equal(existsSync(join(installed.dir, 'node_modules', '.bin')), false);
  });

  it('refuses a tampered integrity and keeps nothing of the install', async () => {
    const project = await deployRepo({ 'postinstall-marker': '1.0.0' });
    editLockfile(project, (lock) => {
      lock.packages['node_modules/postinstall-marker']!.integrity = published.get('needs-child-process')!.integrity;
    });
    const { store, cacheDir } = newStore();
    const err = await refusal('IntegrityMismatch', store.install(project.tree, project.path, noToken));
    const from = `the tarball of postinstall-marker@1\\.0\\.0 from ${registryPattern()} does not match`;
    assert.match(err.message, new RegExp(from));
    assert.match(err.message, /deploy\/package-lock\.json/);
    assert.equal(err.unavailable, false);
    assert.deepEqual(
      readdirSync(cacheDir).filter((n) => /^[0-9a-f]{64}$/.test(n)),
      [],
    );
    assert.deepEqual(readdirSync(join(cacheDir, '_tmp')), []);
  });

  it('installs a private package only with the Environment’s token, in no message, log or file', async () => {
    const project = await deployRepo({ '@acme-private/platform': '2.1.0' });
    const { store } = newStore();
    const wrong = `npm_wrong${Math.random().toString(36).slice(2)}`;
    const logged: string[] = [];
    // npm's libraries log through proc-log, which emits 'log' on process.
    const onLog = (...args: unknown[]) =>
      logged.push(args.map((a) => (a instanceof Error ? a.stack : JSON.stringify(a))).join(' '));
    process.on('log', onLog);
    try {
      // The repository's .npmrc holds the real token: it is ignored, so without the Environment's there is none.
      assert.match(readFileSync(join(project.dir, '.npmrc'), 'utf8'), new RegExp(registry.token));
      const anonymous = await refusal('Unauthorized', store.install(project.tree, project.path, noToken));
      const wants = `the registry ${registryPattern()} wants a token for @acme-private/platform@2\\.1\\.0 \\(401\\)`;
      assert.match(anonymous.message, new RegExp(wants));
      assert.match(anonymous.message, /reference a Secret/);
      const withWrong = () => ({ token: wrong });
      const refused = await refusal('Unauthorized', store.install(project.tree, project.path, withWrong));
      assert.match(refused.message, /refused the Environment's token for @acme-private\/platform@2\.1\.0/);
      const asked: string[] = [];
      const installed = await store.install(project.tree, project.path, (url) => {
        asked.push(url);
        return { token: registry.token };
      });
      assert.ok(installed);
      assert.deepEqual(asked, [registry.url]);
      assert.equal(version(installed.dir, '@acme-private/platform'), '2.1.0');
      for (const err of [anonymous, refused]) {
        for (const token of [registry.token, wrong]) {
          assert.ok(!err.message.includes(token) && !(err.stack ?? '').includes(token), `a token in: ${err.message}`);
        }
      }
      assert.ok(logged.length > 0, 'nothing was logged: the log check checked nothing');
      for (const line of logged) {
        assert.ok(!line.includes(registry.token) && !line.includes(wrong), `a token in the log: ${line}`);
      }
      for (const file of filesUnder(installed.dir)) {
        assert.ok(!readFileSync(file, 'utf8').includes(registry.token), `the token is in ${file}`);
      }
      // The key is not the token's: the same lockfile is the same install for whoever fetched it.
      assert.equal((await store.install(project.tree, project.path, noToken))?.key, installed.key);
      // Concurrent installs share one, but a refusal of one caller's access does not fail another's token.
      // Which call starts the install is up to the order their reads finish in: the tokenless one is
      // refused when it went first, and shares the install when the other did (the key is the lockfile's).
      const fresh = newStore().store;
      const [without, withToken] = await Promise.allSettled([
        fresh.install(project.tree, project.path, noToken),
        fresh.install(project.tree, project.path, () => ({ token: registry.token })),
      ]);
      assert.equal(withToken.status === 'fulfilled' ? withToken.value?.key : withToken.reason, installed.key);
      if (without.status === 'rejected') {
        assert.ok(
          without.reason instanceof DependencyInstallError && without.reason.reason === 'Unauthorized',
          String(without.reason),
        );
      } else {
        assert.equal(without.value?.key, installed.key);
      }
    } finally {
      process.off('log', onLog);
    }
  });

  it('refuses a dependency missing from the lockfile with no network, and a lockfile npm ci would refuse', async () => {
    const project = await deployRepo({ 'postinstall-marker': '1.0.0' });
    const { store } = newStore();
    writeFileSync(
      join(project.dir, 'package.json'),
      JSON.stringify({
        name: 'deploy',
        private: true,
        dependencies: { 'postinstall-marker': '1.0.0', 'needs-child-process': '1.0.0' },
      }),
    );
    await registry.stop();
    try {
      const missing = await refusal('LockfileMismatch', store.install(project.tree, project.path, noToken));
      const message = /^deploy\/package\.json has "needs-child-process": "1\.0\.0" in dependencies but deploy\//;
      assert.match(missing.message, message);
      assert.match(missing.message, /but deploy\/package-lock\.json does not: run `npm install` in deploy/);
    } finally {
      await registry.resume();
    }
    // Root specs agree but the pinned version does not satisfy them: only building the tree finds it, as npm ci does.
    const stale = await deployRepo({ 'postinstall-marker': '^1.0.0' });
    editLockfile(stale, (lock) => {
      lock.packages['node_modules/postinstall-marker']!.version = '0.9.0';
    });
    const drift = await refusal('LockfileMismatch', store.install(stale.tree, stale.path, noToken));
    assert.match(drift.message, /deploy\/package\.json and deploy\/package-lock\.json are not in sync/);
    assert.match(drift.message, /postinstall-marker: the lockfile pins 0\.9\.0 but package\.json needs 1\.0\.0/);
  });

  it('refuses a version the registry no longer has', async () => {
    const copy = join(work, 'republished');
    cpSync(join(FIXTURES, 'needs-child-process'), copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { version: string };
    writeFileSync(join(copy, 'package.json'), JSON.stringify({ ...manifest, version: '1.0.1' }));
    await registry.publish(copy);
    const project = await deployRepo({ 'needs-child-process': '1.0.1' });
    await registry.unpublish('needs-child-process', '1.0.1');
    const err = await refusal('NotFound', newStore().store.install(project.tree, project.path, noToken));
    assert.match(err.message, /does not have needs-child-process@1\.0\.1 \(E404\)/);
  });

  it('tells a registry that is down apart (unavailable) for a lockfile it has not installed', async () => {
    const project = await deployRepo({ 'needs-child-process': '1.0.0' });
    await registry.stop();
    try {
      const err = await refusal('Unavailable', newStore().store.install(project.tree, project.path, noToken));
      assert.equal(err.unavailable, true);
      const down = `the registry ${registryPattern()} cannot be reached \\(ECONNREFUSED\\) fetching needs-child`;
      assert.match(err.message, new RegExp(down));
      assert.match(err.message, /needs-child-process@1\.0\.0; trying again later may work$/);
    } finally {
      await registry.resume();
    }
  });

  it('shares one install between concurrent calls, and evicts the least recently used past maxEntries', async () => {
    const a = await deployRepo({ 'postinstall-marker': '1.0.0' });
    const b = await deployRepo({ 'needs-child-process': '1.0.0' });
    // npm's omit-lockfile-registry-resolved: no tarball URLs, the .npmrc's registry serves them.
    const c = await deployRepo(
      { 'postinstall-marker': '1.0.0', 'needs-child-process': '1.0.0' },
      { npmArgs: ['--omit-lockfile-registry-resolved'] },
    );
    assert.equal(c.lock.packages['node_modules/postinstall-marker']?.resolved, undefined);
    const { store, cacheDir } = newStore({ maxEntries: 2 });
    let asked = 0;
    const counting = () => ((asked += 1), {});
    const [one, two] = await Promise.all([
      store.install(a.tree, a.path, counting),
      store.install(a.tree, a.path, counting),
    ]);
    assert.equal(one?.dir, two?.dir);
    assert.equal(asked, 1, 'two installs ran for one key');
    await sleep(20);
    const bInstalled = await store.install(b.tree, b.path, noToken);
    await sleep(20);
    await store.install(a.tree, a.path, noToken); // used again: b is now the least recently used
    await sleep(20);
    const cInstalled = await store.install(c.tree, c.path, noToken);
    assert.ok(cInstalled && bInstalled && one);
    assert.equal(version(cInstalled.dir, 'needs-child-process'), '1.0.0');
    const kept = readdirSync(cacheDir)
      .filter((n) => /^[0-9a-f]{64}$/.test(n))
      .sort();
    assert.deepEqual(kept, [one.key, cInstalled.key].sort());
  });

  it('installs a construct library with its cdk8s peers from the public registry, timed against npm ci', async (t) => {
    const project = await deployRepo({ 'acme-constructs': '1.0.0' });
    const names = Object.keys(project.lock.packages);
    assert.ok(names.includes('node_modules/cdk8s') && names.includes('node_modules/constructs'), names.join(', '));
    // Warm the registry's own copy of the public tarballs, so that both runs below fetch from it alike.
    const warm = join(work, 'warm');
    cpSync(project.dir, warm, { recursive: true });
    await registry.npm(['ci', '--ignore-scripts'], { cwd: warm });
    const ci = join(work, 'npm-ci');
    cpSync(project.dir, ci, { recursive: true });
    let start = performance.now();
    await registry.npm(['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: ci });
    const npmCiMs = performance.now() - start;
    start = performance.now();
    const installed = await newStore().store.install(project.tree, project.path, noToken);
    const storeMs = performance.now() - start;
    assert.ok(installed);
    assert.equal(version(installed.dir, 'acme-constructs'), '1.0.0');
    assert.equal(version(installed.dir, 'cdk8s'), version(ci, 'cdk8s'));
    const count = installed.packages.length;
    t.diagnostic(
      `${count} packages: DependencyStore first install ${Math.round(storeMs)} ms, ` +
        `npm ci --ignore-scripts ${Math.round(npmCiMs)} ms (both with an empty npm cache, the registry warm)`,
    );
  });
});
