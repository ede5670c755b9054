import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyInstallError, type DependencyFailureReason } from './dependency-error.ts';
import {
  dependencyKey,
  describePackage,
  lockfileDrift,
  nameAtLocation,
  packagesOf,
  readLockedProject,
  type LockedProject,
} from './lockfile.ts';
import { parseNpmrc } from './npmrc.ts';

const INTEGRITY_A = 'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==';
const INTEGRITY_B = 'sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==';
const REGISTRY = 'https://registry.example/';

function manifest(fields: Record<string, unknown> = { dependencies: { 'acme-constructs': '^1.0.0' } }): string {
  return JSON.stringify({ name: 'deploy', private: true, ...fields });
}

function lockfile(packages: Record<string, unknown>, lockfileVersion: unknown = 3): string {
  return JSON.stringify({ name: 'deploy', lockfileVersion, requires: true, packages });
}

const ROOT = { name: 'deploy', dependencies: { 'acme-constructs': '^1.0.0' } };
const CONSTRUCTS = {
  version: '1.0.0',
  resolved: `${REGISTRY}acme-constructs/-/acme-constructs-1.0.0.tgz`,
  integrity: INTEGRITY_A,
};

function read(packages: Record<string, unknown>, packageJson = manifest(), folder = 'deploy'): LockedProject | null {
  return readLockedProject({ folder, packageJson, lockfile: lockfile(packages) });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function refused(reason: DependencyFailureReason, message: RegExp, fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DependencyInstallError, `not a DependencyInstallError: ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    assert.match(err.message, message);
    return true;
  });
}

describe('readLockedProject', () => {
  it('reads a lockfile that agrees with package.json', () => {
    const project = read({ '': ROOT, 'node_modules/acme-constructs': CONSTRUCTS });
    assert.deepEqual(project, {
      files: { packageJson: 'deploy/package.json', lockfile: 'deploy/package-lock.json' },
      lockfileVersion: 3,
      packages: [{ location: 'node_modules/acme-constructs', name: 'acme-constructs', ...CONSTRUCTS, bundled: false }],
    });
  });

  it('is null for a package.json without dependencies, lockfile or not', () => {
    const noDependencies = manifest({ type: 'module' });
    assert.equal(readLockedProject({ folder: '', packageJson: noDependencies, lockfile: undefined }), null);
    assert.equal(read({ '': { name: 'deploy' } }, manifest({ scripts: { synth: 'cdk8s synth' } })), null);
  });

  it('refuses dependencies without a lockfile, telling to run npm install and commit it', () => {
    const message = /^deploy\/package\.json declares dependencies but there is no deploy\/package-lock\.json/;
    const noLockfile = { folder: 'deploy', packageJson: manifest(), lockfile: undefined };
    refused('NoLockfile', message, () => readLockedProject(noLockfile));
    refused('NoLockfile', /run `npm install` in deploy and commit package\.json and package-lock\.json$/, () =>
      readLockedProject({ folder: 'deploy', packageJson: manifest(), lockfile: undefined }),
    );
    refused('NoLockfile', /in the repository root/, () =>
      readLockedProject({ folder: '', packageJson: manifest(), lockfile: undefined }),
    );
    refused('NoLockfile', /lockfile pins \(npm's lockfile; it does not read pnpm-lock\.yaml\); run `npm install`/, () =>
      readLockedProject({ folder: '', packageJson: manifest(), lockfile: undefined, otherLockfile: 'pnpm-lock.yaml' }),
    );
  });

  it('refuses a dependency of package.json that the lockfile does not have, naming it', () => {
    const packageJson = manifest({ dependencies: { 'acme-constructs': '^1.0.0', '@acme-private/platform': '2.1.0' } });
    const message = /"@acme-private\/platform": "2\.1\.0" in dependencies but deploy\/package-lock\.json does not/;
    refused('LockfileMismatch', message, () =>
      read({ '': ROOT, 'node_modules/acme-constructs': CONSTRUCTS }, packageJson),
    );
  });

  it('refuses a dependency whose range changed since the lockfile was written', () => {
    refused('LockfileMismatch', /asks for "acme-constructs": "\^2\.0\.0" but .*made for "\^1\.0\.0"/, () =>
      read(
        { '': ROOT, 'node_modules/acme-constructs': CONSTRUCTS },
        manifest({ dependencies: { 'acme-constructs': '^2.0.0' } }),
      ),
    );
  });

  it('refuses a root entry without its node_modules entry', () => {
    refused('LockfileMismatch', /does not pin "acme-constructs" \(no "node_modules\/acme-constructs" entry\)/, () =>
      read({ '': ROOT }),
    );
  });

  it('refuses a lockfile that still has a dependency package.json dropped', () => {
    const root = { ...ROOT, devDependencies: { typescript: '5.9.0' } };
    const message = /has "typescript" in devDependencies, which deploy\/package\.json no longer declares/;
    refused('LockfileMismatch', message, () => read({ '': root, 'node_modules/acme-constructs': CONSTRUCTS }));
  });

  it('checks every dependency field, and lets an optional dependency or optional peer be absent', () => {
    const fields = {
      devDependencies: { typescript: '5.9.0' },
      optionalDependencies: { fsevents: '2.3.3' },
      peerDependencies: { constructs: '^10.0.0', cdk8s: '^2.0.0' },
      peerDependenciesMeta: { cdk8s: { optional: true } },
    };
    const typescript = {
      version: '5.9.0',
      resolved: `${REGISTRY}typescript/-/typescript-5.9.0.tgz`,
      integrity: INTEGRITY_B,
      dev: true,
    };
    const project = read(
      {
        '': { ...ROOT, ...fields },
        'node_modules/acme-constructs': CONSTRUCTS,
        'node_modules/typescript': typescript,
        'node_modules/constructs': { ...CONSTRUCTS, version: '10.4.0' },
      },
      manifest({ dependencies: ROOT.dependencies, ...fields }),
    );
    assert.deepEqual(
      project?.packages.map((p) => p.name),
      ['acme-constructs', 'constructs', 'typescript'],
    );
    refused('LockfileMismatch', /does not pin "constructs".*in peerDependencies/, () =>
      read(
        {
          '': { ...ROOT, ...fields },
          'node_modules/acme-constructs': CONSTRUCTS,
          'node_modules/typescript': typescript,
        },
        manifest({ dependencies: ROOT.dependencies, ...fields }),
      ),
    );
  });

  it('refuses an entry without integrity, naming the package and version', () => {
    const { integrity: _, ...noIntegrity } = CONSTRUCTS;
    refused('NotReproducible', /deploy\/package-lock\.json: "acme-constructs" 1\.0\.0 has no integrity/, () =>
      read({ '': ROOT, 'node_modules/acme-constructs': noIntegrity }),
    );
  });

  it('accepts a registry entry without resolved (omit-lockfile-registry-resolved): the .npmrc decides', () => {
    const { resolved: _, ...noResolved } = CONSTRUCTS;
    const project = read({ '': ROOT, 'node_modules/acme-constructs': noResolved });
    assert.equal(project?.packages[0]?.resolved, undefined);
    assert.equal(project?.packages[0]?.integrity, INTEGRITY_A);
  });

  it('refuses an entry with neither resolved nor a registry version', () => {
    refused('NotReproducible', /"acme-constructs" latest has no "resolved" and no registry version/, () =>
      read({ '': ROOT, 'node_modules/acme-constructs': { version: 'latest', integrity: INTEGRITY_A } }),
    );
  });

  it('accepts a bundled package without resolved or integrity: it comes inside its parent', () => {
    const project = read({
      '': ROOT,
      'node_modules/acme-constructs': CONSTRUCTS,
      'node_modules/acme-constructs/node_modules/yaml': { version: '2.9.1', inBundle: true },
    });
    assert.deepEqual(project?.packages[1], {
      location: 'node_modules/acme-constructs/node_modules/yaml',
      name: 'yaml',
      version: '2.9.1',
      bundled: true,
    });
  });

  it('refuses link, file: and git dependencies as not reproducible from a registry', () => {
    refused('NotReproducible', /"acme-constructs" links to "\.\.\/constructs" in the repository/, () =>
      read({ '': ROOT, 'node_modules/acme-constructs': { resolved: '../constructs', link: true } }),
    );
    const git = 'git+ssh://git@github.com/acme/c.git#abc';
    refused('NotReproducible', new RegExp(`"acme-constructs" 1\\.0\\.0 comes from "${escape(git)}"`), () =>
      read({ '': ROOT, 'node_modules/acme-constructs': { ...CONSTRUCTS, resolved: git } }),
    );
    refused('NotReproducible', /comes from "file:vendor\/c-1\.0\.0\.tgz"/, () =>
      read({ '': ROOT, 'node_modules/acme-constructs': { ...CONSTRUCTS, resolved: 'file:vendor/c-1.0.0.tgz' } }),
    );
    refused('NotReproducible', /a package inside the repository/, () =>
      read({ '': ROOT, 'node_modules/acme-constructs': CONSTRUCTS, 'packages/lib': { version: '1.0.0' } }),
    );
    for (const spec of ['file:../constructs', 'link:../constructs', './vendor/c.tgz', 'workspace:*']) {
      const message = new RegExp(`"acme-constructs": "${escape(spec)}" in dependencies is a path in the repository`);
      refused('NotReproducible', message, () =>
        read({ '': ROOT }, manifest({ dependencies: { 'acme-constructs': spec } })),
      );
    }
    for (const spec of ['git+https://github.com/acme/c.git', 'github:acme/c', 'acme/c#v1', 'git://example.com/c.git']) {
      refused('NotReproducible', /is a Git repository, which a registry cannot reproduce/, () =>
        read({ '': ROOT }, manifest({ dependencies: { 'acme-constructs': spec } })),
      );
    }
  });

  it('tells a repository made with `keelson init --kit file:…` how to depend on the kit from a registry', () => {
    const kit = 'file:.keelson/kit/keelson-cdk8s-app-0.1.0.tgz';
    refused(
      'NotReproducible',
      /"@keelson\/cdk8s-app": "file:.*" in dependencies is a path .*: publish the kit that `make kit` packs to a registry/,
      () => read({ '': ROOT }, manifest({ dependencies: { '@keelson/cdk8s-app': kit, 'acme-constructs': '1.0.0' } })),
    );
  });

  it('accepts an npm: alias and keeps the real package name', () => {
    const packageJson = manifest({ dependencies: { constructs10: 'npm:constructs@^10.4.0' } });
    const project = read(
      {
        '': { name: 'deploy', dependencies: { constructs10: 'npm:constructs@^10.4.0' } },
        'node_modules/constructs10': { ...CONSTRUCTS, name: 'constructs', version: '10.4.0' },
      },
      packageJson,
    );
    const [p] = project?.packages ?? [];
    assert.equal(p?.name, 'constructs10');
    assert.equal(p?.realName, 'constructs');
    assert.equal(describePackage(p!), 'constructs10 (constructs@10.4.0)');
  });

  it('refuses workspaces and patchedDependencies', () => {
    refused('NotReproducible', /declares workspaces/, () =>
      read({ '': ROOT }, manifest({ dependencies: ROOT.dependencies, workspaces: ['lib'] })),
    );
    refused('NotReproducible', /declares patchedDependencies/, () =>
      read({ '': ROOT }, manifest({ dependencies: ROOT.dependencies, patchedDependencies: { a: 'patches/a.patch' } })),
    );
  });

  it('refuses lockfileVersion 1 and files that are not JSON, naming the file', () => {
    refused('Invalid', /deploy\/package-lock\.json has lockfileVersion 1; Keelson reads versions 2 and 3/, () =>
      readLockedProject({ folder: 'deploy', packageJson: manifest(), lockfile: lockfile({ '': ROOT }, 1) }),
    );
    refused('Invalid', /^deploy\/package-lock\.json is not valid JSON/, () =>
      readLockedProject({ folder: 'deploy', packageJson: manifest(), lockfile: '{"lockfileVersion": 3,' }),
    );
    refused('Invalid', /^deploy\/package\.json is not valid JSON/, () =>
      readLockedProject({ folder: 'deploy', packageJson: '{', lockfile: undefined }),
    );
    refused('Invalid', /"dependencies" must map package names to version strings/, () =>
      readLockedProject({ folder: '', packageJson: manifest({ dependencies: { a: 1 } }), lockfile: undefined }),
    );
    refused('Invalid', /no "packages" entry for the project itself/, () =>
      readLockedProject({ folder: '', packageJson: manifest(), lockfile: lockfile({}, 2) }),
    );
  });
});

describe('dependencyKey', () => {
  const mappingOf = (npmrc: string) => parseNpmrc(npmrc, '.npmrc').mapping;
  const mapping = mappingOf(`registry=${REGISTRY}\n`);
  const project = read({ '': ROOT, 'node_modules/acme-constructs': CONSTRUCTS })!;

  it('is a sha256 that is the same for the same pins, whatever the order or formatting of the file', () => {
    const key = dependencyKey(project, mapping);
    assert.match(key, /^[0-9a-f]{64}$/);
    const reordered = readLockedProject({
      folder: 'elsewhere',
      packageJson: manifest(),
      lockfile: JSON.stringify(
        {
          packages: {
            'node_modules/acme-constructs': { integrity: INTEGRITY_A, resolved: CONSTRUCTS.resolved, version: '1.0.0' },
            '': ROOT,
          },
          lockfileVersion: 3,
        },
        null,
        4,
      ),
    })!;
    assert.equal(dependencyKey(reordered, mapping), key);
  });

  it('changes with an integrity, a version, a place in node_modules, or the registries', () => {
    const key = dependencyKey(project, mapping);
    const other = (entry: object, location = 'node_modules/acme-constructs') =>
      dependencyKey(read({ '': ROOT, 'node_modules/acme-constructs': CONSTRUCTS, [location]: entry })!, mapping);
    assert.notEqual(other({ ...CONSTRUCTS, integrity: INTEGRITY_B }), key);
    assert.notEqual(other({ ...CONSTRUCTS, version: '1.0.1' }), key);
    assert.notEqual(other(CONSTRUCTS, 'node_modules/x/node_modules/acme-constructs'), key);
    assert.notEqual(dependencyKey(project, mappingOf('registry=https://mirror.example/\n')), key);
    assert.notEqual(dependencyKey(project, mappingOf(`registry=${REGISTRY}\n@acme:registry=${REGISTRY}\n`)), key);
  });

  it('ignores what the .npmrc says besides registries, tokens included', () => {
    const withToken = mappingOf(`registry=${REGISTRY}\n//registry.example/:_authToken=s3cret\nignore-scripts=false\n`);
    assert.equal(dependencyKey(project, withToken), dependencyKey(project, mapping));
  });
});

describe('packagesOf, nameAtLocation, lockfileDrift', () => {
  it('lists each name@version once, sorted', () => {
    const project = read(
      {
        '': { name: 'deploy', dependencies: { b: '1.0.0', a: '2.0.0' } },
        'node_modules/b': { ...CONSTRUCTS, version: '1.0.0' },
        'node_modules/a': { ...CONSTRUCTS, version: '2.0.0' },
        'node_modules/b/node_modules/a': { ...CONSTRUCTS, version: '1.0.0' },
        'node_modules/c/node_modules/a': { ...CONSTRUCTS, version: '1.0.0' },
      },
      manifest({ dependencies: { b: '1.0.0', a: '2.0.0' } }),
    )!;
    assert.deepEqual(packagesOf(project), [
      { name: 'a', version: '1.0.0' },
      { name: 'a', version: '2.0.0' },
      { name: 'b', version: '1.0.0' },
    ]);
  });

  it('names the folder after the last node_modules/', () => {
    assert.equal(nameAtLocation('node_modules/a/node_modules/@s/b'), '@s/b');
    assert.equal(nameAtLocation('node_modules/@acme-private/platform'), '@acme-private/platform');
  });

  it('reports what npm ci calls not in sync: missing entries and other versions, not the root', () => {
    const locked = [
      { location: '', name: 'deploy', version: '' },
      { location: 'node_modules/a', name: 'a', version: '1.0.0' },
    ];
    assert.deepEqual(lockfileDrift(locked, locked), []);
    assert.deepEqual(
      lockfileDrift(locked, [
        { location: '', name: 'deploy', version: '0.1.0' },
        { location: 'node_modules/a', name: 'a', version: '1.1.0' },
        { location: 'node_modules/b', name: 'b', version: '3.0.0' },
      ]),
      ['a: the lockfile pins 1.0.0 but package.json needs 1.1.0', 'b@3.0.0 is missing from the lockfile'],
    );
  });
});
