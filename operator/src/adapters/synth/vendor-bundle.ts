// The packages a deploy repository installed (its own package.json and lockfile, ADR 15),
// bundled once per install into one CommonJS function body the worker loads once and keeps:
// the vendor bundle. The repository's own code is bundled apart, per revision, with its
// imports of these packages left to the vendor bundle, so a warm synthesis evaluates only the
// repository's code. cdk8s, cdk8s-plus-* and the kit (with what they bundle) get the worker's
// host `fs`, `os` and `child_process` (their Include, Helm and ConfigMap.addFile work as with
// Keelson's own packages); every package may use `process` (the locked-down global) and the
// pure built-ins of vendor-names.ts; a package that
// needs any other built-in (`net`, `fs`, `child_process`…) or a native addon is refused, with
// the chain of imports that reached it.
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import type { Message, Plugin } from 'esbuild';
import { SynthesisError } from '../../core/synthesis-check.ts';
import { loadEsbuild } from './deploy-bundle.ts';

import { HOST_BUILTINS, PURE_BUILTINS, VENDOR_FILE } from './vendor-names.ts';

/** Packages whose file and process access the worker's host carries out (as for Keelson's own). */
const HOST_PACKAGES = /^(cdk8s|cdk8s-plus-\d+|@keelson\/cdk8s-app)$/;

export interface VendorBundle {
  /** Identifies the bundle: the install's key and the specifiers it exposes. */
  readonly id: string;
  /** A function body of (__keelsonHost, __keelsonBuiltin, __keelsonLibraryEnv, module): sets module.exports. */
  readonly code: string;
  /** The specifiers it exposes: `module.exports[spec]()` loads one. */
  readonly specifiers: readonly string[];
}

/**
 * Bundles the packages `specifiers` name from `dir/node_modules` (an install of the
 * dependency store). `installKey` is the install's content key.
 */
export async function bundleVendor(
  dir: string,
  installKey: string,
  specifiers: readonly string[],
): Promise<VendorBundle> {
  const wanted = [...new Set(specifiers)].sort();
  const id = createHash('sha256').update(installKey).update('\0').update(wanted.join('\0')).digest('hex').slice(0, 32);
  const entry = `module.exports = {\n${wanted.map((s) => `  ${JSON.stringify(s)}: () => require(${JSON.stringify(s)}),`).join('\n')}\n};\n`;
  const importers = new Map<string, string>();
  const { build } = loadEsbuild();
  const result = await build({
    stdin: { contents: entry, resolveDir: dir, sourcefile: 'keelson-vendor-entry.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    outfile: join(dir, VENDOR_FILE),
    logLevel: 'silent',
    absWorkingDir: dir,
    nodePaths: [join(dir, 'node_modules')],
    mainFields: ['module', 'main'],
    conditions: ['node', 'import', 'require', 'default'],
    // The libraries' reads of the environment find an empty one of their own (ADR 6).
    define: { 'process.env': '__keelsonLibraryEnv' },
    plugins: [builtinPolicy(dir, importers)],
  }).catch((err: { errors?: Message[] }) => {
    if (err.errors) throw vendorError(err.errors);
    throw err;
  });
  return { id, code: result.outputFiles[0]!.text, specifiers: wanted };
}

/** Which built-ins a package may have, and the import chain for the message when it may not. */
function builtinPolicy(dir: string, importers: Map<string, string>): Plugin {
  return {
    name: 'keelson-vendor-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === RESOLVING) return undefined;
        const name = args.path.replace(/^node:/, '');
        const root = name.split('/')[0]!;
        if (!BUILTINS.has(root) && !args.path.startsWith('node:')) {
          // Resolved here only to remember who imported what, for the chain in a refusal.
          const resolved = await b.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            importer: args.importer,
            pluginData: RESOLVING,
          });
          if (resolved.path.endsWith('.node')) {
            return {
              errors: [
                {
                  text:
                    `package "${packageOf(dir, args.importer) ?? '?'}" loads the native addon "${args.path}" ` +
                    `(${chainOf(dir, args.importer, importers)}): synthesis runs JavaScript only`,
                },
              ],
            };
          }
          if (resolved.path && !importers.has(resolved.path)) importers.set(resolved.path, args.importer);
          return resolved.errors.length > 0
            ? { errors: resolved.errors }
            : {
                path: resolved.path,
                ...(resolved.external ? { external: true } : {}),
                namespace: resolved.namespace,
                sideEffects: resolved.sideEffects,
              };
        }
        const pkg = packageOf(dir, args.importer);
        if (name === 'path' || name === 'path/posix') return { path: 'path', namespace: 'keelson-builtin' };
        if ((PURE_BUILTINS as readonly string[]).includes(name)) return { path: name, namespace: 'keelson-builtin' };
        // `process` is the global every package sees anyway (locked down, its environment empty).
        if (name === 'process') return { path: name, namespace: 'keelson-host' };
        const outer = outermostPackageOf(dir, args.importer);
        if (
          (HOST_BUILTINS as readonly string[]).includes(name) &&
          [pkg, outer].some((p) => p && HOST_PACKAGES.test(p))
        ) {
          return { path: name, namespace: 'keelson-host' };
        }
        return {
          errors: [
            {
              text:
                `package "${pkg ?? 'the deploy repository'}" imports the Node.js built-in "${args.path}" ` +
                `(${chainOf(dir, args.importer, importers)}): synthesis has no files, network or processes; only the pure built-ins ` +
                `${PURE_BUILTINS.join(', ')} are available to packages`,
            },
          ],
        };
      });
      b.onLoad({ filter: /.*/, namespace: 'keelson-builtin' }, (args) => ({
        contents: `module.exports = __keelsonBuiltin(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
      b.onLoad({ filter: /.*/, namespace: 'keelson-host' }, (args) => ({
        contents: `module.exports = __keelsonHost(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

/** The package a file of the install belongs to (`@scope/name` or `name`), from its path. */
function packageOf(dir: string, file: string): string | undefined {
  const parts = relative(dir, file).split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  return parts[at + 1]!.startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
}

/** The top-level package a file of the install belongs to (cdk8s for cdk8s's own bundled yaml). */
function outermostPackageOf(dir: string, file: string): string | undefined {
  const parts = relative(dir, file).split(sep);
  const at = parts.indexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  return parts[at + 1]!.startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
}

/** `the deploy repository → acme-constructs → needs-child-process`: the packages from the entry to `file`. */
function chainOf(dir: string, file: string, importers: ReadonlyMap<string, string>): string {
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let at: string | undefined = file; at && !seen.has(at); at = importers.get(at)) {
    seen.add(at);
    const pkg = packageOf(dir, at);
    if (pkg && chain[0] !== pkg) chain.unshift(pkg);
  }
  return ['the deploy repository', ...chain].join(' → ');
}

function vendorError(messages: readonly Message[]): SynthesisError {
  const lines = messages.slice(0, 10).map((m) => m.text);
  return new SynthesisError('BuildFailed', `the deploy repository's packages do not bundle:\n  ${lines.join('\n  ')}`);
}

const BUILTINS = new Set(builtinModules);
/** Marks the plugin's own resolve calls, which it must not intercept again. */
const RESOLVING = Symbol('keelson.resolving');
