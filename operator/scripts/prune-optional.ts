// Removes from an installed runtime tree the packages that only optional dependencies reach and
// that the operator never loads, and drops them from npm's record of the tree
// (node_modules/.package-lock.json, which the image's SBOM is written from). npm has no flag to
// omit one optional dependency: esbuild's platform binary is one, and is needed; cdk8s-plus-27's
// `backport` (a release tool, with inquirer, octokit, axios and 150 more packages) is another, and
// is not. Kept: esbuild's package for this platform, and iconv-lite, which minipass-fetch (npm's
// registry client, for deploy repositories' own packages) loads when it is there.
//
//   node operator/scripts/prune-optional.ts <runtime-dir>
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  readonly optional?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

const KEEP = [`@esbuild/${process.platform}-${process.arch}`, 'iconv-lite'];

const dir = process.argv[2];
if (!dir) {
  console.error('usage: prune-optional.ts <runtime-dir>');
  process.exit(2);
}
const lockPath = join(dir, 'node_modules', '.package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages: Record<string, LockEntry> };
const packages = lock.packages;

/** The installed path `name` resolves to from the package at `from`, as Node's resolution walks up. */
function resolve(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up < 0 ? '' : base.slice(0, up);
  }
}

// What the kept packages need stays too.
const kept = new Set<string>();
const pending = KEEP.map((name) => resolve('', name)).filter((p): p is string => p !== undefined);
while (pending.length > 0) {
  const path = pending.pop()!;
  if (kept.has(path)) continue;
  kept.add(path);
  for (const name of Object.keys(packages[path]?.dependencies ?? {})) {
    const dep = resolve(path, name);
    if (dep) pending.push(dep);
  }
}

const removed: string[] = [];
for (const [path, entry] of Object.entries(packages)) {
  if (!entry.optional || kept.has(path)) continue;
  rmSync(join(dir, path), { recursive: true, force: true });
  delete packages[path];
  removed.push(path);
}
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.error(`prune-optional: removed ${removed.length} packages only optional dependencies reach`);
