// The image's software bill of materials as CycloneDX 1.5 JSON, from what the image holds: the npm
// packages of the runtime tree (its node_modules/.package-lock.json, npm's record of what it
// installed), the Debian packages of the base (its dpkg status), and the binaries copied in whole
// (Node, helm, kustomize). Pure: the caller reads the files and passes their text in.
import { createHash } from 'node:crypto';

export interface SbomComponent {
  readonly type: 'library' | 'application' | 'operating-system';
  readonly 'bom-ref': string;
  readonly name: string;
  readonly version: string;
  readonly purl?: string;
  readonly licenses?: readonly ({ license: { id: string } } | { expression: string })[];
  readonly hashes?: readonly { alg: 'SHA-512' | 'SHA-256'; content: string }[];
}

export interface Binary {
  readonly name: string;
  readonly version: string;
  /** Package URL, e.g. pkg:golang/helm.sh/helm/v3@v3.21.4. */
  readonly purl: string;
  /** SHA-256 of the file, hex. */
  readonly sha256: string;
}

export interface SbomInput {
  readonly image: { readonly name: string; readonly version: string };
  /** ISO time of the build (SOURCE_DATE_EPOCH), so that the same inputs give the same document. */
  readonly created: string;
  readonly packageLock: string;
  readonly dpkgStatus: string;
  readonly binaries: readonly Binary[];
  /** For the Debian package URLs: `debian-12`. */
  readonly distro: string;
}

interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly link?: boolean;
  readonly integrity?: string;
  readonly license?: string;
}

/** One component per package and version the lockfile installs under node_modules/ (links, workspaces skipped). */
export function npmComponents(packageLockText: string): SbomComponent[] {
  const lock = JSON.parse(packageLockText) as { packages?: Record<string, LockEntry> };
  if (!lock.packages) throw new Error('the package lock has no "packages" map (lockfileVersion 2 or later is needed)');
  const byPurl = new Map<string, SbomComponent>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at < 0 || entry.link) continue;
    const name = entry.name ?? path.slice(at + 'node_modules/'.length);
    if (!entry.version) throw new Error(`the package lock's entry "${path}" has no version`);
    const purl = `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${entry.version}`;
    if (byPurl.has(purl)) continue;
    byPurl.set(purl, {
      type: 'library',
      'bom-ref': purl,
      name,
      version: entry.version,
      purl,
      ...(entry.license ? { licenses: [licenseOf(entry.license)] } : {}),
      ...(entry.integrity ? { hashes: hashesOf(entry.integrity) } : {}),
    });
  }
  return sortedByRef([...byPurl.values()]);
}

/** One component per package dpkg has installed (Status: install ok installed). */
export function debianComponents(statusText: string, distro: string): SbomComponent[] {
  const out: SbomComponent[] = [];
  for (const stanza of statusText.split(/\n\s*\n/)) {
    const fields = parseStanza(stanza);
    const name = fields.get('Package');
    if (!name) continue;
    if (!fields.get('Status')?.endsWith(' installed')) continue;
    const version = fields.get('Version');
    const arch = fields.get('Architecture');
    if (!version || !arch) throw new Error(`the dpkg status of ${name} has no Version or Architecture`);
    const purl = `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=${arch}&distro=${distro}`;
    out.push({ type: 'library', 'bom-ref': purl, name, version, purl });
  }
  return sortedByRef(out);
}

export function cycloneDx(input: SbomInput): object {
  const binaries: SbomComponent[] = input.binaries.map((b) => ({
    type: 'application',
    'bom-ref': b.purl,
    name: b.name,
    version: b.version,
    purl: b.purl,
    hashes: [{ alg: 'SHA-256', content: b.sha256 }],
  }));
  const components = [
    ...binaries,
    ...debianComponents(input.dpkgStatus, input.distro),
    ...npmComponents(input.packageLock),
  ];
  const body = { image: input.image, created: input.created, refs: components.map((c) => c['bom-ref']) };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${uuidOf(JSON.stringify(body))}`,
    version: 1,
    metadata: {
      timestamp: input.created,
      tools: { components: [{ type: 'application', name: 'keelson image/sbom.ts' }] },
      component: {
        type: 'container',
        'bom-ref': `${input.image.name}:${input.image.version}`,
        name: input.image.name,
        version: input.image.version,
      },
    },
    components,
  };
}

function parseStanza(stanza: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of stanza.split('\n')) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!.trim());
  }
  return fields;
}

/** An SPDX id stays an id; anything with an operator or parentheses is an expression. */
function licenseOf(license: string): { license: { id: string } } | { expression: string } {
  return /[\s()]/.test(license) ? { expression: license } : { license: { id: license } };
}

/** npm's integrity (`sha512-<base64>`) as CycloneDX hashes (hex). */
function hashesOf(integrity: string): { alg: 'SHA-512'; content: string }[] {
  return integrity
    .split(/\s+/)
    .filter((s) => s.startsWith('sha512-'))
    .map((s) => ({ alg: 'SHA-512', content: Buffer.from(s.slice('sha512-'.length), 'base64').toString('hex') }));
}

/** A name-based UUID (version 5 layout) of the document's content: the same image, the same serial. */
function uuidOf(text: string): string {
  const h = createHash('sha1').update(text).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function sortedByRef(list: SbomComponent[]): SbomComponent[] {
  return list.sort((a, b) => (a['bom-ref'] < b['bom-ref'] ? -1 : a['bom-ref'] > b['bom-ref'] ? 1 : 0));
}
