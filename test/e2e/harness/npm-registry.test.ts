// The real npm registry that deploy repositories' own dependencies are tested against (Verdaccio),
// proven on its own (no cluster): the fixture packages published and installed with the real npm, the
// private scope's token, the uplink to the public registry, and "registry down, then back".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NpmRegistry, type PublishedPackage } from '../../harness/npm-registry.ts';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'npm');
const FIXTURE_DIRS = ['acme-constructs', 'acme-private-platform', 'postinstall-marker', 'needs-child-process'];
// The cdk8s and constructs the example app pins: a construct library is installed next to them.
const APP_DEPS = (
  JSON.parse(readFileSync(join(ROOT, 'cdk8s-app', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  }
).dependencies;
// An exact, published version (`npm view cdk8s-plus-33 version` when this was written): never changes.
const CDK8S_PLUS = 'cdk8s-plus-33@2.5.57';
const MARKER = 'keelson-postinstall-ran';

let work: string;
let registry: NpmRegistry;
let local: NpmRegistry;
const startMs: Record<string, number> = {};
const published: Record<string, PublishedPackage> = {};

async function timed<T>(label: string, start: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await start();
  startMs[label] = Math.round(performance.now() - t0);
  return result;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'keelson-npm-registry-test-'));
  registry = await timed('uplink', () => NpmRegistry.start({ uplink: true }));
  local = await timed('local', () => NpmRegistry.start());
  for (const dir of FIXTURE_DIRS) {
    const pkg = await registry.publish(join(FIXTURES, dir));
    published[pkg.name] = pkg;
    await local.publish(join(FIXTURES, dir));
  }
});
after(async () => {
  await registry?.dispose();
  await local?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A new empty project (a package.json and nothing else) to install into. */
function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '0.0.0', private: true, type: 'module' }));
  return dir;
}

interface LockEntry {
  readonly version: string;
  readonly resolved?: string;
  readonly integrity?: string;
}

function lockEntry(dir: string, name: string): LockEntry {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const entry = lock.packages[`node_modules/${name}`];
  assert.ok(entry, `${name} is not in ${dir}/package-lock.json`);
  return entry;
}

/** Runs an ES module snippet in `dir` (so it imports from the project's node_modules) and parses its output. */
async function evaluate(dir: string, code: string): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: dir });
  return JSON.parse(stdout) as unknown;
}

describe('NpmRegistry', () => {
  it('starts Verdaccio, with and without an uplink, within 10 s', (t) => {
    t.diagnostic(`start(): ${startMs.uplink} ms with uplink, ${startMs.local} ms without`);
    assert.ok(startMs.uplink! < 10_000 && startMs.local! < 10_000, JSON.stringify(startMs));
    assert.match(registry.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(registry.upstream ?? '', /^https?:\/\/.+\/$/);
    assert.equal(local.upstream, undefined);
  });

  // Through the uplink, so through the network: bounded, so that a hung mirror fails the test instead.
  it(
    'serves a published construct library, with the integrity publish() returned, that synthesizes',
    { timeout: 180_000 },
    async () => {
      const dir = project('constructs-app');
      await registry.npm(
        [
          'install',
          '--save-exact',
          '--ignore-scripts',
          'acme-constructs@1.0.0',
          `cdk8s@${APP_DEPS.cdk8s}`,
          `constructs@${APP_DEPS.constructs}`,
        ],
        { cwd: dir },
      );
      const entry = lockEntry(dir, 'acme-constructs');
      assert.equal(entry.version, '1.0.0');
      assert.equal(entry.integrity, published['acme-constructs']!.integrity);
      assert.match(published['acme-constructs']!.integrity, /^sha512-/);
      assert.equal(entry.resolved, `${registry.url}acme-constructs/-/acme-constructs-1.0.0.tgz`);
      // cdk8s and constructs came through the uplink, from the same registry URL.
      assert.ok(lockEntry(dir, 'cdk8s').resolved?.startsWith(registry.url));
      const objects = (await evaluate(
        dir,
        `
      import { App, Chart } from 'cdk8s';
      import { WebService } from 'acme-constructs';
      const chart = new Chart(new App(), 'c');
      new WebService(chart, 'web', { image: 'nginx:1.27', replicas: 2 });
      console.log(JSON.stringify(chart.toJson()));`,
      )) as Array<{
        kind: string;
        metadata: { name: string };
        spec: Record<string, unknown> & { selector?: unknown };
      }>;
      assert.deepEqual(
        objects.map((o) => `${o.kind}/${o.metadata.name}`),
        ['Deployment/web', 'Service/web'],
      );
      const [deployment, service] = objects;
      assert.equal(deployment!.spec.replicas, 2);
      assert.deepEqual(service!.spec.selector, (deployment!.spec.selector as { matchLabels: unknown }).matchLabels);
    },
  );

  it('refuses @acme-private/* without the token (E401) and installs it with the token', async () => {
    const dir = project('private-app');
    await assert.rejects(
      registry.npm(['install', '--ignore-scripts', '@acme-private/platform@2.1.0'], { cwd: dir, token: false }),
      /E40[13]/,
    );
    assert.equal(existsSync(join(dir, 'node_modules', '@acme-private', 'platform')), false);
    const anonymous = await fetch(`${registry.url}@acme-private%2fplatform`);
    assert.equal(anonymous.status, 401);
    await registry.npm(['install', '--ignore-scripts', '@acme-private/platform@2.1.0'], { cwd: dir });
    assert.equal(lockEntry(dir, '@acme-private/platform').integrity, published['@acme-private/platform']!.integrity);
    const labels = await evaluate(
      dir,
      `
      import { standardLabels } from '@acme-private/platform';
      console.log(JSON.stringify(standardLabels('payments')));`,
    );
    assert.equal((labels as Record<string, string>)['acme.example/team'], 'payments');
  });

  it('the .npmrc it writes is what npm reads from a project: with the token, without it', async () => {
    const dir = project('npmrc-app');
    writeFileSync(join(dir, '.npmrc'), registry.npmrc({ token: false }));
    // Only the project's .npmrc (and ~/.npmrc, which names no registry here) tells npm where to go.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
    const npm = (args: string[]) => run('npm', [...args, '--cache', join(dir, '.cache')], { cwd: dir, env });
    await assert.rejects(npm(['view', '@acme-private/platform', 'version']), /E401/);
    writeFileSync(join(dir, '.npmrc'), registry.npmrc());
    assert.equal((await npm(['view', '@acme-private/platform', 'version'])).stdout.trim(), '2.1.0');
  });

  it('refuses to publish without the token', async () => {
    await assert.rejects(
      local.npm(['publish', join(FIXTURES, 'postinstall-marker'), '--ignore-scripts'], { token: false }),
      /ENEEDAUTH|E401|E403/,
    );
  });

  it('installs postinstall-marker with --ignore-scripts and no marker appears', async () => {
    const dir = project('ignore-scripts-app');
    const elsewhere = join(work, 'marker-ignored');
    await registry.npm(['install', '--ignore-scripts', 'postinstall-marker@1.0.0'], {
      cwd: dir,
      env: { KEELSON_POSTINSTALL_MARKER: elsewhere },
    });
    assert.ok(existsSync(join(dir, 'node_modules', 'postinstall-marker', 'postinstall.js')));
    assert.equal(existsSync(join(dir, MARKER)), false);
    assert.equal(existsSync(elsewhere), false);
  });

  it('postinstall-marker is a real trap: npm without --ignore-scripts runs it and the marker appears', async () => {
    const dir = project('scripts-app');
    const elsewhere = join(work, 'marker-ran');
    await registry.npm(['install', 'postinstall-marker@1.0.0'], {
      cwd: dir,
      env: { KEELSON_POSTINSTALL_MARKER: elsewhere },
    });
    assert.match(readFileSync(join(dir, MARKER), 'utf8'), /^postinstall-marker ran/);
    assert.ok(existsSync(elsewhere));
  });

  it('serves needs-child-process, which imports node:child_process at top level', async () => {
    const dir = project('child-process-app');
    await registry.npm(['install', '--ignore-scripts', 'needs-child-process@1.0.0'], { cwd: dir });
    const source = readFileSync(join(dir, 'node_modules', 'needs-child-process', 'index.js'), 'utf8');
    assert.match(source, /^import \{ execFileSync \} from 'node:child_process';$/m);
  });

  it(
    `resolves ${CDK8S_PLUS} through the uplink: the public registry's tarball, from the registry's URL`,
    { timeout: 180_000 },
    async () => {
      const dir = project('uplink-app');
      await registry.npm(
        [
          'install',
          '--save-exact',
          '--ignore-scripts',
          CDK8S_PLUS,
          `cdk8s@${APP_DEPS.cdk8s}`,
          `constructs@${APP_DEPS.constructs}`,
        ],
        { cwd: dir },
      );
      const entry = lockEntry(dir, 'cdk8s-plus-33');
      assert.equal(entry.resolved, `${registry.url}cdk8s-plus-33/-/cdk8s-plus-33-2.5.57.tgz`);
      // What the public registry says, asked directly with the machine's own npm config.
      const { stdout } = await run('npm', ['view', CDK8S_PLUS, 'dist.integrity']);
      assert.equal(entry.integrity, stdout.trim());
    },
  );

  it('without an uplink serves only what was published', async () => {
    await assert.rejects(local.npm(['view', CDK8S_PLUS, 'version']), /E404/);
    const { stdout } = await local.npm(['view', 'acme-constructs', 'version']);
    assert.equal(stdout.trim(), '1.0.0');
  });

  it('stopped, refuses connections and an install fails; resumed, serves the same packages and token', async () => {
    const url = local.url;
    await local.stop();
    await assert.rejects(fetch(`${url}-/ping`), (err: Error) => {
      assert.match(String((err.cause as { code?: string } | undefined)?.code), /ECONNREFUSED/);
      return true;
    });
    const down = project('down-app');
    await assert.rejects(
      local.npm(['install', '--ignore-scripts', '--fetch-retries', '0', 'needs-child-process@1.0.0'], { cwd: down }),
      /ECONNREFUSED/,
    );
    const t0 = performance.now();
    await local.resume();
    const resumeMs = Math.round(performance.now() - t0);
    assert.equal(local.url, url);
    await local.npm(['install', '--ignore-scripts', 'needs-child-process@1.0.0', '@acme-private/platform@2.1.0'], {
      cwd: down,
    });
    assert.equal(lockEntry(down, '@acme-private/platform').version, '2.1.0');
    assert.ok(resumeMs < 10_000, `resume took ${resumeMs} ms`);
  });

  it('unpublished, a version is gone: an install of it fails with E404', async () => {
    await local.unpublish('needs-child-process', '1.0.0');
    await assert.rejects(
      local.npm(['install', '--ignore-scripts', 'needs-child-process@1.0.0'], { cwd: project('gone-app') }),
      /E404|ETARGET/,
    );
  });
});
