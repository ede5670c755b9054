// `keelson init` as someone starting a deploy repository runs it: init into a new directory
// with the kit packed by `make kit`, its package-lock.json resolved from the registry, a real
// `npm ci` of that lockfile, `tsc --noEmit` as the editor and CI would run it, `keelson synth`
// of the new `dev` environment, the kit imported by the repository's own code under Node, and
// imported CRD types (enums included) type-checked and synthesized. A directory that is not
// empty is refused, by name; a lockfile that cannot be resolved (a registry without the kit, a
// registry that cannot be reached) leaves nothing behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../harness/kube.ts';
import { NpmRegistry } from '../../harness/npm-registry.ts';
import { freePort } from '../../harness/ports.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
interface Obj {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}

const KIT_MANIFEST = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk8s-app', 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
/** What `make kit` writes. */
const KIT_TGZ = join(REPO_ROOT, '.keelson', 'kit', `keelson-cdk8s-app-${KIT_MANIFEST.version}.tgz`);
const ENV = {
  ...process.env,
  PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
  npm_config_update_notifier: 'false',
};

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = ENV): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const keelson = (...args: string[]): Promise<Run> => run('npx', ['--no-install', 'keelson', ...args], REPO_ROOT);
/** `keelson init` with the user's npm configuration in `npmrc`. */
function initWith(npmrc: string, ...args: string[]): Promise<Run> {
  const file = join(tmp, `npmrc-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, npmrc);
  const env = { ...ENV, NPM_CONFIG_USERCONFIG: file, npm_config_registry: undefined };
  return run('npx', ['--no-install', 'keelson', 'init', ...args], REPO_ROOT, env);
}

interface Lockfile {
  packages: Record<string, { version?: string; integrity?: string; dependencies?: object }>;
}

async function synth(dir: string): Promise<Obj[]> {
  const r = await keelson('synth', dir, '--env', 'dev');
  assert.equal(r.code, 0, r.stderr);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj);
}

const tmp = mkdtempSync(join(tmpdir(), 'keelson-init-'));
const repo = join(tmp, 'shop-deploy');

describe('keelson init', () => {
  before(async () => {
    if (existsSync(KIT_TGZ)) return;
    const pack = await run('node', ['cdk8s-app/scripts/pack-kit.ts'], REPO_ROOT);
    assert.equal(pack.code, 0, pack.stderr);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes a deploy repository into a new directory, with the kit and the libraries Keelson provides', async () => {
    const r = await keelson('init', repo, '--kit', `file:${KIT_TGZ}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /keelson synth \. --env dev/);
    const files = [
      '.gitignore',
      'README.md',
      'images.json',
      'main.ts',
      'package-lock.json',
      'package.json',
      'tsconfig.json',
    ];
    assert.deepEqual(readdirSync(repo).sort(), files);
    assert.match(r.stdout, /npm ci/);
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
      private: boolean;
      type: string;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    assert.equal(pkg.private, true);
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.scripts.typecheck, 'tsc --noEmit');
    assert.deepEqual(pkg.dependencies, { '@keelson/cdk8s-app': `file:${KIT_TGZ}`, ...KIT_MANIFEST.dependencies });
    assert.ok(pkg.devDependencies.typescript);
    assert.match(readFileSync(join(repo, 'README.md'), 'utf8'), /kind: Environment[\s\S]*environment: dev/);

    // The lockfile pins the libraries at the versions Keelson provides, each with its integrity.
    const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as Lockfile;
    assert.deepEqual(lock.packages['']?.dependencies, pkg.dependencies);
    for (const [name, version] of Object.entries(KIT_MANIFEST.dependencies)) {
      assert.equal(lock.packages[`node_modules/${name}`]?.version, version, name);
      assert.match(lock.packages[`node_modules/${name}`]?.integrity ?? '', /^sha512-/, name);
    }
    assert.ok(!existsSync(join(repo, 'node_modules')), 'resolving the lockfile installs nothing');
  });

  it('npm ci installs the lockfile as written, and tsc --noEmit type-checks', { timeout: 300_000 }, async () => {
    const install = await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], repo);
    assert.equal(install.code, 0, install.stderr);
    const tsc = await run('npx', ['--no-install', 'tsc', '--noEmit'], repo);
    assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);

    // The same check fails on a type error, so the pass above means the kit's types were read.
    const brokenCode = `import { App } from '@keelson/cdk8s-app';\nnew App(undefined as never, 'x', { labels: 3 });\n`;
    writeFileSync(join(repo, 'broken.ts'), brokenCode);
    const broken = await run('npx', ['--no-install', 'tsc', '--noEmit'], repo);
    rmSync(join(repo, 'broken.ts'));
    assert.notEqual(broken.code, 0);
    assert.match(broken.stdout, /broken\.ts\(2,\d+\): error TS2559|broken\.ts\(2,\d+\): error TS2322/);
  });

  it('keelson synth prints dev: the Deployment with the image from images.json, and its Service', async () => {
    const objects = await synth(repo);
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ['Deployment/hello', 'Service/hello'],
    );
    const images = JSON.parse(readFileSync(join(repo, 'images.json'), 'utf8')) as { dev: { hello: string } };
    const { template } = objects[0]!.spec as { template: { spec: { containers: { image: string }[] } } };
    assert.equal(template.spec.containers[0]!.image, images.dev.hello);
  });

  it('the repository’s own code runs the installed kit under Node, as its unit tests would', async () => {
    const script = [
      `import { synthesizeEnvironment } from '@keelson/cdk8s-app';`,
      `import definition from './main.ts';`,
      `import images from './images.json' with { type: 'json' };`,
      `const apps = synthesizeEnvironment(definition, { environment: 'dev', images });`,
      `console.log(JSON.stringify(apps.map((a) => [a.name, a.objects.length])));`,
    ].join('\n');
    const r = await run('node', ['--input-type=module', '-e', script], repo);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '[["hello",2]]');
  });

  it('imported CRD types, enums included, type-check and synthesize', async () => {
    mkdirSync(join(repo, 'imports'));
    const generated = join(REPO_ROOT, 'cdk8s-app', 'example', 'imports', 'cert-manager.io.ts');
    copyFileSync(generated, join(repo, 'imports', 'cert-manager.io.ts'));
    writeFileSync(
      join(repo, 'tls.ts'),
      [
        `import { App, type Environment } from '@keelson/cdk8s-app';`,
        `import { Certificate, CertificateSpecPrivateKeyAlgorithm } from './imports/cert-manager.io.ts';`,
        `export function tls(env: Environment): void {`,
        `  new Certificate(new App(env, 'tls'), 'cert', { metadata: { name: 'hello-tls' }, spec: {`,
        `    secretName: 'hello-tls', issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' },`,
        `    privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA },`,
        `  } });`,
        `}`,
        ``,
      ].join('\n'),
    );
    const main = readFileSync(join(repo, 'main.ts'), 'utf8');
    const wired = main.replace(`dev: (env) => hello(env, 1),`, `dev: (env) => { hello(env, 1); tls(env); },`);
    assert.notEqual(wired, main, 'main.ts has no `dev: (env) => hello(env, 1),` to extend');
    writeFileSync(join(repo, 'main.ts'), `import { tls } from './tls.ts';\n${wired}`);

    const tsc = await run('npx', ['--no-install', 'tsc', '--noEmit'], repo);
    assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);
    const certificate = (await synth(repo)).find((o) => o.kind === 'Certificate');
    assert.deepEqual(certificate?.spec, {
      secretName: 'hello-tls',
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' },
      privateKey: { algorithm: 'ECDSA' },
    });
  });

  it('accepts a directory that holds only .git, as a fresh clone does', async () => {
    const dir = join(tmp, 'fresh-clone');
    mkdirSync(join(dir, '.git'), { recursive: true });
    const r = await keelson('init', dir, '--kit', `file:${KIT_TGZ}`);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'main.ts')));
    assert.ok(existsSync(join(dir, 'package-lock.json')));
    assert.ok(existsSync(join(dir, '.git')));
  });

  it('--no-lockfile writes the kit this Keelson ships by version, and no lockfile', async () => {
    const dir = join(tmp, 'no-lockfile');
    const r = await keelson('init', dir, '--no-lockfile');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(dir, 'package-lock.json')));
    assert.match(r.stdout, /npm install/);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(pkg.dependencies['@keelson/cdk8s-app'], KIT_MANIFEST.version);
  });

  it(
    'a registry without the kit: names the kit and `make kit`, and leaves the clone as it was',
    { timeout: 120_000 },
    async () => {
      // The registry proxies cdk8s and the rest from upstream, but never has the kit.
      const registry = await NpmRegistry.start({ uplink: true, localOnly: ['@keelson/cdk8s-app'] });
      try {
        const dir = join(tmp, 'kit-not-published');
        mkdirSync(join(dir, '.git'), { recursive: true });
        const r = await initWith(`registry=${registry.url}\n`, dir);
        assert.equal(r.code, 1, r.stdout);
        assert.match(
          r.stderr,
          new RegExp(`does not have @keelson/cdk8s-app@${KIT_MANIFEST.version.replace(/\./g, '\\.')}`),
        );
        assert.match(r.stderr, /make kit/);
        assert.match(r.stderr, /nothing was written/);
        assert.deepEqual(readdirSync(dir), ['.git']);
      } finally {
        await registry.dispose();
      }
    },
  );

  it('a registry that cannot be reached: names it, and the new directory is not left behind', async () => {
    const registry = `http://127.0.0.1:${await freePort()}/`;
    const parent = join(tmp, 'unreachable');
    const r = await initWith(`registry=${registry}\n`, join(parent, 'repo'), '--kit', `file:${KIT_TGZ}`);
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      new RegExp(`the registry ${registry.replace(/\./g, '\\.')} cannot be reached \\(ECONNREFUSED\\)`),
    );
    assert.ok(!existsSync(parent), 'the directories init made are gone');
  });

  const refusals: { name: string; make: (dir: string) => void; error: string; untouched: (dir: string) => void }[] = [
    {
      name: 'a directory that is not empty',
      make: (dir) => {
        mkdirSync(dir);
        writeFileSync(join(dir, 'notes.txt'), 'mine\n');
      },
      error: 'is not empty (notes.txt)',
      untouched: (dir) => assert.deepEqual(readdirSync(dir), ['notes.txt']),
    },
    {
      name: 'a path that is a file',
      make: (dir) => writeFileSync(dir, 'mine\n'),
      error: 'is not a directory',
      untouched: (dir) => assert.equal(readFileSync(dir, 'utf8'), 'mine\n'),
    },
  ];
  for (const [i, c] of refusals.entries()) {
    it(`refuses ${c.name}, naming it, and writes nothing`, async () => {
      const dir = join(tmp, `taken-${i}`);
      c.make(dir);
      const r = await keelson('init', dir);
      assert.equal(r.code, 1, r.stdout);
      assert.ok(r.stderr.startsWith(`keelson init: "${dir}" ${c.error}`), r.stderr);
      c.untouched(dir);
    });
  }
});
