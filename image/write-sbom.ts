// Writes the image's SBOM (CycloneDX JSON) from what the image's build put into it.
//   node image/write-sbom.ts --lock <app>/node_modules/.package-lock.json --dpkg-status <rootfs>/var/lib/dpkg/status
//     --image <name> --version <v> --created <iso> --out <file> [--binary <name>=<version>=<purl>=<file>]...
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cycloneDx, type Binary } from './sbom.ts';

const { values } = parseArgs({
  options: {
    lock: { type: 'string' },
    'dpkg-status': { type: 'string' },
    image: { type: 'string' },
    version: { type: 'string' },
    created: { type: 'string' },
    out: { type: 'string' },
    distro: { type: 'string', default: 'debian-12' },
    binary: { type: 'string', multiple: true, default: [] },
  },
});
const need = (name: keyof typeof values): string => {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new Error(`write-sbom.ts: --${name} is required`);
  return v;
};
const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`write-sbom.ts: cannot read ${path}: ${(err as Error).message}`);
  }
};
const binaries: Binary[] = values.binary.map((spec) => {
  const [name, version, purl, path] = spec.split('=');
  if (!name || !version || !purl || !path)
    throw new Error(`write-sbom.ts: --binary "${spec}" is not name=version=purl=path`);
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  return { name, version, purl, sha256 };
});
const bom = cycloneDx({
  image: { name: need('image'), version: need('version') },
  created: need('created'),
  packageLock: read(need('lock')),
  dpkgStatus: read(need('dpkg-status')),
  binaries,
  distro: values.distro,
});
writeFileSync(need('out'), JSON.stringify(bom, null, 2) + '\n');
const count = (bom as { components: unknown[] }).components.length;
process.stderr.write(`SBOM: ${count} components in ${values.out}\n`);
