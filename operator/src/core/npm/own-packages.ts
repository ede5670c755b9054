// Whether a deploy repository runs with packages of its own or with Keelson's. Its runtime
// packages are its package.json's `dependencies` (devDependencies are its tools: typescript,
// test runners). When those are only the packages Keelson provides, at the versions Keelson
// provides (the kit at any version: the one a repository made with `keelson init` names a local
// tarball), Keelson's warm copies give the same result with no install. Anything else — another
// package, another version of cdk8s or a cdk8s-plus — means the repository's own install.

/** Package name → the exact version Keelson provides. */
export type ProvidedVersions = Readonly<Record<string, string>>;

const KIT = '@keelson/cdk8s-app';

/** Why the repository needs its own install, or undefined when Keelson's packages serve it. */
export function ownPackagesNeeded(manifestText: string, provided: ProvidedVersions): string | undefined {
  let manifest: { dependencies?: unknown };
  try {
    manifest = JSON.parse(manifestText) as { dependencies?: unknown };
  } catch {
    return 'its package.json is not JSON';
  }
  const dependencies = manifest.dependencies;
  if (dependencies === undefined) return undefined;
  if (typeof dependencies !== 'object' || dependencies === null || Array.isArray(dependencies)) {
    return "its package.json's dependencies are not an object";
  }
  for (const [name, spec] of Object.entries(dependencies as Record<string, unknown>)) {
    if (name === KIT) continue;
    const version = provided[name];
    if (version === undefined) return `it depends on ${name}`;
    if (typeof spec !== 'string' || !matchesProvided(spec, version)) return `it depends on ${name} ${String(spec)}`;
  }
  return undefined;
}

/** `2.70.106`, `^2.70.106`, `~2.70.106` or `=2.70.106` of exactly the provided version. */
function matchesProvided(spec: string, version: string): boolean {
  return /^[\^~=]?$/.test(spec.trim().slice(0, -version.length)) && spec.trim().endsWith(version);
}
