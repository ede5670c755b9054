// The files `keelson init` writes, checked without writing them: the versions they pin and
// the spec of the kit they depend on. test/e2e/cli/init.test.ts installs and builds them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deployRepoFiles, TYPESCRIPT_VERSION } from './deploy-repo.ts';

const root = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const libraries = { cdk8s: '2.70.106', 'cdk8s-plus-27': '2.9.5', constructs: '10.8.1' };

describe('deployRepoFiles', () => {
  it('pins TypeScript to the version Keelson itself is type-checked with', () => {
    assert.equal(TYPESCRIPT_VERSION, root.devDependencies.typescript);
  });

  it('depends on the kit spec it is given and on the libraries at their versions', () => {
    const files = deployRepoFiles({ name: 'shop', kit: 'file:../kit.tgz', libraries });
    const pkg = JSON.parse(files['package.json']!) as { name: string; dependencies: Record<string, string> };
    assert.equal(pkg.name, 'shop');
    assert.deepEqual(pkg.dependencies, { '@keelson/cdk8s-app': 'file:../kit.tgz', ...libraries });
  });

  it('writes one environment, dev, whose image images.json names', () => {
    const files = deployRepoFiles({ name: 'shop', kit: '0.1.0', libraries });
    assert.match(files['main.ts']!, /defineEnvironments\(\{\n {2}dev: /);
    assert.match(files['main.ts']!, /env\.image\('hello'\)/);
    assert.deepEqual(Object.keys(JSON.parse(files['images.json']!) as object), ['dev']);
  });
});
