// Bundles a deploy repository, read from a SourceTree, into one function body for the
// worker: an ES-module bundle (so a top-level `await` works, as under Node) whose entry hands
// the entry point's exports to `module.exports`. Its own files come from the tree (no checkout needed); the provided packages
// become shims over `__keelsonRequire`, whose export lists come from the worker, so importing
// a name cdk8s-plus-27 does not have fails here, with the file and line. Anything else —
// another package, a Node built-in, a path outside the tree — is refused with a clear error.
// esbuild is imported on first use, so a CLI run spawns its worker before paying for it.
import { builtinModules, createRequire } from 'node:module';
import type * as esbuild from 'esbuild';
import type { Loader, Message, Plugin } from 'esbuild';
import { normalizeTreePath, type SourceTree } from '../../core/source.ts';
import { SynthesisError } from '../../core/synthesis-check.ts';
import { BUNDLE_FILE, PROVIDED_MODULES } from './protocol.ts';
import { REPOSITORY_ROOT } from '../../core/render/repository-path.ts';

export interface DeployBundle {
  /**
   * The bundle, the body of an async function of (__keelsonRequire, __keelsonExport): the
   * module's top level, awaits included; it calls __keelsonExport with the entry's exports.
   */
  readonly code: string;
  /** Its source map (JSON), with sources as tree paths. */
  readonly map: string;
  /** The entry point's tree path. */
  readonly entry: string;
  /** The package specifiers it imports from the repository's own install (empty without one). */
  readonly vendorSpecifiers: readonly string[];
}

export interface BundleOptions {
  /** The deploy repository's directory in the tree ('' or '.' for the root). */
  readonly path: string;
  /** Export names of each provided package, as the worker reported them. */
  readonly exports: Readonly<Record<string, readonly string[]>>;
  /**
   * The packages the repository installed from its own package.json and lockfile: its bare
   * imports come from them (the vendor bundle), not from Keelson's provided packages.
   */
  readonly installed?: ReadonlySet<string>;
}

const ENTRY_NAMES = ['main.ts', 'main.mts', 'main.js', 'main.mjs', 'index.ts'];
const LOADERS: Readonly<Record<string, Loader>> = {
  ts: 'ts',
  mts: 'ts',
  cts: 'ts',
  tsx: 'tsx',
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  json: 'json',
};
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** The bundle's entry: imports the deploy repository's entry point and hands its exports to __keelsonExport. */
const ENTRY_STUB = 'keelson:entry';

/** How long esbuild's service process is kept after the last build (20–60 MiB resident; it starts again in ms). */
const ESBUILD_IDLE_MS = 15_000;
let builds = 0;
let idle: NodeJS.Timeout | undefined;

/**
 * esbuild, required on first use (CommonJS require: no export scan of its 100 kB entry).
 * Its `build` stops the service process once no build has run for ESBUILD_IDLE_MS: an
 * operator bundles once per revision, then synthesizes many Environments from the bundle.
 */
export function loadEsbuild(): Pick<typeof esbuild, 'build'> {
  const real = createRequire(import.meta.url)('esbuild') as typeof esbuild;
  return {
    build: (async (options: esbuild.BuildOptions) => {
      clearTimeout(idle);
      builds++;
      try {
        return await real.build(options);
      } finally {
        if (--builds === 0) idle = setTimeout(() => void real.stop(), ESBUILD_IDLE_MS).unref();
      }
    }) as typeof esbuild.build,
  };
}

/** Finds the entry point under `path` and bundles it; throws SynthesisError (BuildFailed) naming file:line. */
export async function bundleDeployRepo(tree: SourceTree, options: BundleOptions): Promise<DeployBundle> {
  const root = normalizeTreePath(options.path);
  const entry = await findEntry(tree, root);
  const { build } = loadEsbuild();
  const vendorSpecifiers = new Set<string>();
  const result = await build({
    entryPoints: [ENTRY_STUB],
    bundle: true,
    write: false,
    outfile: BUNDLE_FILE,
    format: 'esm',
    // `import.meta` is an empty object, as Node's CommonJS gives it: the bundle is a function body.
    supported: { 'import-meta': false },
    platform: 'node',
    target: 'node24',
    sourcemap: 'external',
    sourcesContent: false,
    logLevel: 'silent',
    tsconfigRaw: '{}',
    plugins: [treePlugin(tree, root, entry, options.exports, options.installed, vendorSpecifiers)],
  }).catch((err: { errors?: Message[] }) => {
    if (err.errors) throw buildError(err.errors);
    throw err;
  });
  const undefinedImports = result.warnings.filter((w) => w.id === 'import-is-undefined');
  if (undefinedImports.length > 0) throw buildError(undefinedImports);
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  return {
    code: code.replace(/\/\/# sourceMappingURL=.*\s*$/, ''),
    map,
    entry: displayPath(entry),
    vendorSpecifiers: [...vendorSpecifiers].sort(),
  };
}

async function findEntry(tree: SourceTree, root: string): Promise<string> {
  const entries = await tree.readDir(root);
  if (!entries)
    throw new SynthesisError(
      'BuildFailed',
      `the deploy repository has no directory "${root || '.'}" at ${tree.revision}`,
    );
  const named = await entryOfCdk8sYaml(tree, root);
  if (named) return named;
  const name = ENTRY_NAMES.find((n) => entries.some((e) => e.type === 'file' && e.name === n));
  if (!name)
    throw new SynthesisError(
      'BuildFailed',
      `no entry point in "${root || '.'}": expected one of ${ENTRY_NAMES.join(', ')}`,
    );
  return root ? `${root}/${name}` : name;
}

/**
 * The file a plain cdk8s app's cdk8s.yaml runs (`app: npx ts-node main.ts`, `app: node lib/main.js`):
 * the last word of its `app:` line that names a script of the folder; undefined without one.
 */
async function entryOfCdk8sYaml(tree: SourceTree, root: string): Promise<string | undefined> {
  const file = root ? `${root}/cdk8s.yaml` : 'cdk8s.yaml';
  const bytes = await tree.readFile(file);
  if (bytes === undefined) return undefined;
  const app = /^app:\s*["']?(.+?)["']?\s*$/m.exec(new TextDecoder().decode(bytes))?.[1];
  const script = app
    ?.split(/\s+/)
    .reverse()
    .find((word) => /\.(ts|mts|js|mjs)$/.test(word));
  if (!script) return undefined;
  const path = joinTreePath(root, script);
  if (path === undefined || (await tree.readFile(path)) === undefined) {
    throw new SynthesisError(
      'BuildFailed',
      `${file}: its app line runs "${script}", which is not a file of the repository`,
      file,
    );
  }
  return path;
}

function treePlugin(
  tree: SourceTree,
  root: string,
  entry: string,
  exportsOf: BundleOptions['exports'],
  installed: ReadonlySet<string> | undefined,
  vendorSpecifiers: Set<string>,
): Plugin {
  const files = new Map<string, Uint8Array | undefined>();
  const read = async (path: string): Promise<Uint8Array | undefined> => {
    if (!files.has(path)) files.set(path, await tree.readFile(path));
    return files.get(path);
  };
  return {
    name: 'keelson-source-tree',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point') return { path: ENTRY_STUB, namespace: 'entry' };
        if (args.namespace === 'entry') return { path: entry, namespace: 'tree' };
        if (args.path === 'node:path' || args.path === 'path/posix' || args.path === 'path') {
          return { path: 'path', namespace: 'provided' };
        }
        if (installed && !args.path.startsWith('.') && !args.path.startsWith('/')) {
          const pkg = packageName(args.path);
          if (!installed.has(pkg)) return { errors: [{ text: notInstalled(args.path, pkg) }] };
          vendorSpecifiers.add(args.path);
          return { path: args.path, namespace: 'vendor' };
        }
        if ((PROVIDED_MODULES as readonly string[]).includes(args.path))
          return { path: args.path, namespace: 'provided' };
        if (args.path.startsWith('.') || args.path.startsWith('/'))
          return resolveInTree(args.path, args.importer, root, read);
        return { errors: [{ text: refusal(args.path) }] };
      });
      b.onLoad({ filter: /.*/, namespace: 'tree' }, async (args) => {
        const bytes = await read(args.path);
        const ext = args.path.slice(args.path.lastIndexOf('.') + 1);
        return { contents: withModulePaths(args.path, bytes ?? new Uint8Array()), loader: LOADERS[ext] ?? 'ts' };
      });
      b.onLoad({ filter: /.*/, namespace: 'entry' }, () => ({
        contents: `import * as deployRepo from ${JSON.stringify(entry)};\n__keelsonExport(deployRepo);\n`,
        loader: 'js',
      }));
      // CommonJS, so any name the package exports can be imported (the vendor bundle has them all).
      b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
        contents: `module.exports = __keelsonRequire(${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
      b.onLoad({ filter: /.*/, namespace: 'provided' }, (args) => ({
        contents: shim(args.path, exportsOf[args.path] ?? []),
        loader: 'js',
      }));
    },
  };
}

async function resolveInTree(
  spec: string,
  importer: string,
  root: string,
  read: (p: string) => Promise<Uint8Array | undefined>,
) {
  if (spec.startsWith('/'))
    return { errors: [{ text: `absolute import "${spec}": import the deploy repository's files by relative path` }] };
  const dir = importer.includes('/') ? importer.slice(0, importer.lastIndexOf('/')) : '';
  const base = joinTreePath(dir, spec);
  if (base === undefined) return { errors: [{ text: `"${spec}" leaves the repository` }] };
  if (root && base !== root && !base.startsWith(`${root}/`))
    return { errors: [{ text: `"${spec}" is outside the deploy repository's directory "${root}"` }] };
  const stem = base.replace(/\.(js|mjs|cjs)$/, '');
  for (const candidate of [
    base,
    `${stem}.ts`,
    `${stem}.mts`,
    `${stem}.tsx`,
    `${base}.js`,
    `${base}.json`,
    `${base}/index.ts`,
    `${base}/index.js`,
  ]) {
    if ((await read(candidate)) !== undefined) return { path: candidate, namespace: 'tree' };
  }
  return { errors: [{ text: `cannot find "${spec}" (looked for ${base} and ${stem}.ts in the repository)` }] };
}

/**
 * A file that uses `__dirname` or `__filename` gets its own, under the root where the worker
 * shows the repository (`path.join(__dirname, 'crds.yaml')` then names a file of the tree).
 * Declared on the first line, so every other line keeps its number.
 */
function withModulePaths(path: string, bytes: Uint8Array): Uint8Array | string {
  const text = new TextDecoder().decode(bytes);
  if (!/\b__(dirname|filename)\b/.test(text)) return bytes;
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const paths =
    `var __dirname = ${JSON.stringify(`${REPOSITORY_ROOT}${dir ? `/${dir}` : ''}`)}, ` +
    `__filename = ${JSON.stringify(`${REPOSITORY_ROOT}/${path}`)}; `;
  return paths + text;
}

/** `dir` joined with a relative `spec`, '..' resolved; undefined when it climbs above the tree's root. */
function joinTreePath(dir: string, spec: string): string | undefined {
  const parts: string[] = [];
  for (const part of `${dir}/${spec}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return undefined;
  }
  return parts.join('/');
}

/** `@scope/name` or `name` of a bare specifier. */
function packageName(spec: string): string {
  return spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
}

function notInstalled(spec: string, pkg: string): string {
  if (spec.startsWith('node:') || BUILTINS.has(pkg)) return refusal(spec);
  return (
    `package "${pkg}" is not among the dependencies of the deploy repository's package.json: ` +
    'add it with npm install and commit package.json and package-lock.json'
  );
}

function refusal(spec: string): string {
  const pkg = packageName(spec);
  if (spec.startsWith('node:') || BUILTINS.has(pkg)) {
    return (
      `"${spec}" is a Node.js built-in module: synthesis runs without files, network or processes; ` +
      "read files of the repository with cdk8s's Include or cdk8s-plus's ConfigMap.addFile, images through the kit"
    );
  }
  const allowed = PROVIDED_MODULES.join(', ');
  if ((PROVIDED_MODULES as readonly string[]).includes(pkg))
    return `"${spec}": import the package root ("${pkg}"), not a file inside it`;
  return `package "${pkg}" is not provided: a deploy repository may import ${allowed}, and its own files`;
}

/** An ES module that re-exports one provided package, name by name, so unknown names fail at bundle time. */
function shim(name: string, names: readonly string[]): string {
  const exported = names.filter((n) => IDENTIFIER.test(n) && n !== 'default');
  return `const m = __keelsonRequire(${JSON.stringify(name)});\nexport default m;\nexport const { ${exported.join(', ')} } = m;\n`;
}

function buildError(messages: readonly Message[]): SynthesisError {
  const lines = messages.slice(0, 10).map((m) => {
    const at = m.location ? `${displayPath(m.location.file)}:${m.location.line}:${m.location.column + 1}` : '';
    const text = m.text.replace(/"provided:([^"]+)"/g, '"$1"');
    return at ? `${at}: ${text}` : text;
  });
  const first = messages[0]?.location;
  return new SynthesisError(
    'BuildFailed',
    `the deploy repository does not build:\n  ${lines.join('\n  ')}`,
    first ? `${displayPath(first.file)}:${first.line}:${first.column + 1}` : undefined,
  );
}

function displayPath(file: string): string {
  return file.replace(/^(tree|provided|entry|vendor):/, '');
}

const BUILTINS = new Set(builtinModules);
