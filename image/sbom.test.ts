import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cycloneDx, debianComponents, npmComponents, type SbomComponent } from './sbom.ts';

const LOCK = JSON.stringify({
  name: 'keelson-runtime',
  lockfileVersion: 3,
  packages: {
    '': { name: 'keelson-runtime', workspaces: ['operator'] },
    operator: { name: '@keelson/operator', version: '0.1.0' },
    'node_modules/@keelson/operator': { resolved: 'operator', link: true },
    'node_modules/yaml': { version: '2.9.1', license: 'ISC', integrity: 'sha512-AAEC' },
    'node_modules/@kubernetes/client-node': { version: '2.0.1', license: 'Apache-2.0' },
    'node_modules/@kubernetes/client-node/node_modules/yaml': { version: '2.9.1', license: 'ISC' },
    'node_modules/a/node_modules/yaml': { version: '1.10.2', license: '(MIT OR ISC)' },
    'node_modules/string-width-cjs': { name: 'string-width', version: '4.2.3', license: 'MIT' },
  },
});

const STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u14
Description: GNU C Library
 multi-line description

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4+deb12u13
`;

const refs = (list: readonly SbomComponent[]) => list.map((c) => c['bom-ref']);

test('npm components: one per name and version under node_modules, scoped names escaped, links skipped', () => {
  const list = npmComponents(LOCK);
  assert.deepEqual(refs(list), [
    'pkg:npm/%40kubernetes/client-node@2.0.1',
    'pkg:npm/string-width@4.2.3',
    'pkg:npm/yaml@1.10.2',
    'pkg:npm/yaml@2.9.1',
  ]);
  const yaml = list.find((c) => c.version === '2.9.1')!;
  assert.deepEqual(yaml.licenses, [{ license: { id: 'ISC' } }]);
  assert.deepEqual(yaml.hashes, [{ alg: 'SHA-512', content: '000102' }]);
  assert.deepEqual(list.find((c) => c.version === '1.10.2')!.licenses, [{ expression: '(MIT OR ISC)' }]);
});

test('npm components: a lock without a packages map or an entry without a version is refused, naming it', () => {
  assert.throws(() => npmComponents('{"lockfileVersion":1,"dependencies":{}}'), /no "packages" map/);
  assert.throws(() => npmComponents('{"packages":{"node_modules/x":{}}}'), /"node_modules\/x" has no version/);
});

test('Debian components: installed packages only, with arch and distro in the package URL', () => {
  assert.deepEqual(refs(debianComponents(STATUS, 'debian-12')), [
    'pkg:deb/debian/base-files@12.4%2Bdeb12u13?arch=amd64&distro=debian-12',
    'pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12',
  ]);
  assert.throws(() => debianComponents('Package: x\nStatus: install ok installed\n', 'debian-12'), /status of x/);
});

test('the document: CycloneDX 1.5, the image as its subject, binaries, Debian and npm packages, stable serial', () => {
  const input = {
    image: { name: 'keelson', version: '0.1.0' },
    created: '2026-01-01T00:00:00Z',
    packageLock: LOCK,
    dpkgStatus: STATUS,
    distro: 'debian-12',
    binaries: [{ name: 'node', version: '24.9.0', purl: 'pkg:generic/node@24.9.0', sha256: 'ab' }],
  };
  const bom = cycloneDx(input) as {
    bomFormat: string;
    specVersion: string;
    serialNumber: string;
    metadata: { timestamp: string; component: { type: string; name: string } };
    components: SbomComponent[];
  };
  assert.equal(bom.bomFormat, 'CycloneDX');
  assert.equal(bom.specVersion, '1.5');
  assert.equal(bom.metadata.timestamp, '2026-01-01T00:00:00Z');
  assert.deepEqual([bom.metadata.component.type, bom.metadata.component.name], ['container', 'keelson']);
  assert.equal(bom.components.length, 1 + 2 + 4);
  assert.equal(bom.components[0]!.type, 'application');
  assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal((cycloneDx(input) as { serialNumber: string }).serialNumber, bom.serialNumber);
  const other = cycloneDx({ ...input, image: { name: 'keelson', version: '0.2.0' } }) as { serialNumber: string };
  assert.notEqual(other.serialNumber, bom.serialNumber);
});
