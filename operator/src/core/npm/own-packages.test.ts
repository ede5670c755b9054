// A deploy repository keeps Keelson's packages while its dependencies are exactly those.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ownPackagesNeeded } from './own-packages.ts';

const PROVIDED = { cdk8s: '2.70.106', 'cdk8s-plus-27': '2.9.5', constructs: '10.8.1' };
const manifest = (dependencies: unknown) =>
  JSON.stringify({ name: 'deploy', dependencies, devDependencies: { typescript: '7.0.0' } });

describe('ownPackagesNeeded', () => {
  const keelsons: [string, unknown][] = [
    ['no dependencies at all', undefined],
    ['the kit only, as keelson init writes it', { '@keelson/cdk8s-app': 'file:../kit.tgz' }],
    [
      'the provided versions, exact or with ^ ~ =',
      { cdk8s: '2.70.106', 'cdk8s-plus-27': '^2.9.5', constructs: '~10.8.1' },
    ],
  ];
  for (const [name, deps] of keelsons) {
    it(`${name}: Keelson's packages`, () => assert.equal(ownPackagesNeeded(manifest(deps), PROVIDED), undefined));
  }
  const own: [string, unknown, RegExp][] = [
    ['another package', { 'acme-constructs': '1.0.0' }, /depends on acme-constructs/],
    ['another cdk8s-plus', { 'cdk8s-plus-33': '2.5.57' }, /depends on cdk8s-plus-33/],
    ['another version of cdk8s', { cdk8s: '2.71.0' }, /depends on cdk8s 2\.71\.0/],
    ['a range wider than the provided version', { cdk8s: '>=2.0.0' }, /depends on cdk8s >=2\.0\.0/],
    ['dependencies that are not an object', ['cdk8s'], /not an object/],
  ];
  for (const [name, deps, why] of own) {
    it(`${name}: its own install`, () => assert.match(ownPackagesNeeded(manifest(deps), PROVIDED) ?? '', why));
  }
  it('a package.json that is not JSON: its own install, which will say what is wrong', () => {
    assert.match(ownPackagesNeeded('{', PROVIDED) ?? '', /not JSON/);
  });
});
