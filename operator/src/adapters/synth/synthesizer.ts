// Synthesis of a deploy repository: bundle it from a SourceTree, run it in a warm sandboxed
// worker, map every position back to its files, and check the result. What the operator's
// Environment reconciler and the `keelson synth` command call.
import { normalizeTreePath, type SourceTree } from '../../core/source.ts';
import type { SynthesisResult } from '../../core/synthesis.ts';
import {
  checkSynthesis,
  DEFAULT_SYNTHESIS_LIMITS,
  SynthesisError,
  type SynthesisLimits,
} from '../../core/synthesis-check.ts';
import { bundleDeployRepo, type DeployBundle } from './deploy-bundle.ts';
import { SourcePositions } from './source-positions.ts';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.ts';
import type { EnvironmentListing, HostSupply, WorkerRequest } from './protocol.ts';
import type { WorkerReply } from './worker-process.ts';
import { supplyNeeds, withoutFailures } from './host-supply.ts';
import type { Renderer } from '../render/renderer.ts';
import type { ChartAccess } from '../render/chart-store.ts';
import type { DependencyStore, InstalledDependencies } from '../npm/dependency-store.ts';
import { DependencyInstallError } from '../../core/npm/dependency-error.ts';
import { ownPackagesNeeded, type ProvidedVersions } from '../../core/npm/own-packages.ts';
import { createRequire } from 'node:module';
import { bundleVendor, type VendorBundle } from './vendor-bundle.ts';
import { imagesEntryDigest, RecordingTree, type SynthesisInputs } from '../../core/synthesis-inputs.ts';

export interface SynthesizerOptions extends WorkerPoolOptions {
  /** Time one synthesis may take in its worker, in ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Characters the deploy repository may print. @default 1 MiB */
  readonly maxLogBytes?: number;
  /** Caps on the synthesized objects. @default DEFAULT_SYNTHESIS_LIMITS */
  readonly limits?: SynthesisLimits;
  /** Bundles kept, by revision and path (trees whose revision starts with `dir:` are never cached). @default 32 */
  readonly bundleCacheSize?: number;
  /** Carries out the Helm and Kustomize renders a deploy repository asks for. @default none: such a repository fails */
  readonly renderer?: Renderer;
  /**
   * Installs a deploy repository's own package.json and lockfile (ADR 15).
   * @default none: a repository with dependencies fails, one without keeps Keelson's packages
   */
  readonly dependencies?: DependencyStore;
}

export interface SynthesisSource {
  readonly tree: SourceTree;
  /** The deploy repository's directory in the tree. @default '.' */
  readonly path?: string;
  /**
   * Code of different keys never shares a worker. Pass the GitRepository's namespace/name and
   * the path, so successive commits of one repository reuse a warm worker.
   * @default the tree's revision and the path (no sharing across commits)
   */
  readonly isolationKey?: string;
  /**
   * How to reach a chart repository or registry the repository names (credentials from the Environment).
   * @default anonymous
   */
  readonly chartAccess?: (url: string) => ChartAccess;
  /** The token for an npm registry the repository's .npmrc names (from the Environment). @default anonymous */
  readonly npmAccess?: (registryUrl: string) => { readonly token?: string };
}

export interface Synthesis {
  readonly result: SynthesisResult;
  /** What the deploy repository printed. */
  readonly logs: string;
  /**
   * What it read of the tree, cached bundles' and installs' reads included: a later revision
   * that reads the same synthesizes the same.
   */
  readonly inputs: SynthesisInputs;
}

/** A cached value, with what computing it read of the tree. */
interface Recorded<V> {
  readonly value: V;
  readonly inputs: SynthesisInputs;
}

/** Runs of one synthesis at most: each supplies what the one before asked for (files read after a listing, say). */
const MAX_PASSES = 5;

export class Synthesizer {
  private readonly options: SynthesizerOptions;
  private readonly pool: WorkerPool;
  private readonly bundles = new Map<string, Recorded<DeployBundle>>();
  /** What a revision and path installed (null: no package.json), so a warm synthesis reads no lockfile. */
  private readonly installs = new Map<string, Recorded<InstalledDependencies | null>>();
  /** Vendor bundles by their id. */
  private readonly vendors = new Map<string, VendorBundle>();
  /** What the last synthesis of a revision, path and environment asked for: a warm run needs one pass. */
  private readonly supplies = new Map<string, Recorded<HostSupply>>();

  constructor(options: SynthesizerOptions) {
    this.options = options;
    this.pool = new WorkerPool(options);
  }

  start(): Promise<void> {
    return this.pool.start();
  }

  /** Resolves once every worker has started and is ready for a request. */
  whenStarted(): Promise<void> {
    return this.pool.whenStarted();
  }

  stop(): Promise<void> {
    return this.pool.stop();
  }

  /** Synthesizes one environment; throws SynthesisError naming the file and line where it can. */
  async synthesize(source: SynthesisSource, environment: string): Promise<Synthesis> {
    const { bundle, reply, inputs } = await this.run(source, { op: 'synth', environment });
    if (reply.type !== 'result' || !reply.apps)
      throw new SynthesisError('WorkerCrashed', 'the synthesis worker sent no apps');
    const positions = new SourcePositions(bundle.map);
    const apps = reply.apps.map((app) => ({
      name: app.name,
      objects: app.objects,
      sources: app.sites.map((s) => positions.locate(s)),
    }));
    return {
      result: checkSynthesis(environment, apps, this.options.limits ?? DEFAULT_SYNTHESIS_LIMITS),
      logs: reply.logs,
      inputs,
    };
  }

  /** Every environment the deploy repository defines, with its apps. */
  async listEnvironments(
    source: SynthesisSource,
  ): Promise<{ environments: readonly EnvironmentListing[]; logs: string }> {
    const { reply } = await this.run(source, { op: 'list' });
    if (reply.type !== 'result' || !reply.environments)
      throw new SynthesisError('WorkerCrashed', 'the synthesis worker sent no environments');
    return { environments: reply.environments, logs: reply.logs };
  }

  private async run(
    source: SynthesisSource,
    what: Pick<WorkerRequest, 'op' | 'environment'>,
  ): Promise<{ bundle: DeployBundle; reply: WorkerReply; inputs: SynthesisInputs }> {
    const path = normalizeTreePath(source.path ?? '.');
    const reads = new RecordingTree(source.tree);
    const installed = await this.install(source, path, reads);
    const bundle = await this.bundle(source.tree, path, installed, reads);
    const vendor = installed ? await this.vendor(installed, bundle) : undefined;
    let sendVendor = false;
    // An environment uses its own entry of the images file, recorded as that entry; a listing
    // uses every entry, and its read of the file is recorded as the file.
    const imagesFile = path ? `${path}/images.json` : 'images.json';
    const images = await readImages(what.environment === undefined ? reads : source.tree, imagesFile);
    if (what.environment !== undefined)
      reads.note(`i:${imagesFile}#${what.environment}`, imagesEntryDigest(images, what.environment));
    const key = source.isolationKey ?? `${source.tree.revision}\0${path}`;
    const limits = {
      maxLogBytes: this.options.maxLogBytes ?? 1024 * 1024,
      maxResultBytes: (this.options.limits ?? DEFAULT_SYNTHESIS_LIMITS).maxTotalBytes * 2,
    };
    const supplyKey = `${key}\0${source.tree.revision}\0${path}\0${what.environment ?? ''}`;
    const cacheable = !source.tree.revision.startsWith('dir:');
    const cachedSupply = cacheable ? this.supplies.get(supplyKey) : undefined;
    const supplyReads = reads.child();
    if (cachedSupply) supplyReads.merge(cachedSupply.inputs);
    let host: HostSupply = cachedSupply?.value ?? { cwd: path, paths: {}, renders: {} };
    let reply: WorkerReply;
    for (let pass = 1; ; pass++) {
      const request = {
        ...what,
        code: bundle.code,
        entry: bundle.entry,
        images,
        limits,
        host,
        ...(vendor ? { vendor: sendVendor ? { id: vendor.id, code: vendor.code } : { id: vendor.id } } : {}),
      };
      reply = await this.pool.run(request, key, this.options.timeoutMs ?? 10_000);
      const needs = reply.type === 'code-cache' ? undefined : reply.needs;
      if (needs?.vendor && !sendVendor) {
        // This worker has not loaded the repository's packages: the same run again, with them.
        sendVendor = true;
        pass--;
        continue;
      }
      // Listing names environments and apps only: what a construct reads or renders does not change them.
      if (!needs || what.op === 'list') break;
      if (pass === MAX_PASSES) {
        throw new SynthesisError(
          'EvaluationFailed',
          'the deploy repository still asked for more files or renders ' +
            `after ${MAX_PASSES} runs: ${needs.paths.slice(0, 5).join(', ')}`,
        );
      }
      // A kustomize build reads across the repository (bases, patches), and its output is cached
      // by revision: the whole tree is its input.
      if (needs.renders.some((r) => r.tool === 'kustomize')) supplyReads.readWholeTree();
      const supply = { tree: supplyReads, renderer: this.options.renderer, chartAccess: source.chartAccess };
      host = await supplyNeeds(host, needs, supply);
    }
    if (reply.type === 'failure') {
      const positions = new SourcePositions(bundle.map);
      const mapped = reply.stack ? positions.mapStack(reply.stack) : { frames: [] as string[] };
      const location = mapped.location ?? positions.locate(reply.site);
      const at = location ? `${location}: ` : '';
      const frames = mapped.frames.length > 0 ? `\n    ${mapped.frames.slice(0, 8).join('\n    ')}` : '';
      throw new SynthesisError(reply.reason, `${at}${reply.message}${frames}`, location);
    }
    if (cacheable) {
      const supplied = { value: withoutFailures(host), inputs: await supplyReads.inputs() };
      remember(this.supplies, supplyKey, supplied, this.options.bundleCacheSize ?? 32);
    }
    return { bundle, reply, inputs: await reads.inputs() };
  }

  /** The repository's own packages installed, or null when it has no package.json with dependencies. */
  private async install(
    source: SynthesisSource,
    path: string,
    reads: RecordingTree,
  ): Promise<InstalledDependencies | null> {
    const key = `${source.tree.revision}\0${path}`;
    const cacheable = !source.tree.revision.startsWith('dir:');
    const hit = cacheable ? this.installs.get(key) : undefined;
    if (hit) {
      reads.merge(hit.inputs);
      return hit.value;
    }
    const tree = reads.child();
    let installed: InstalledDependencies | null;
    const manifest = await tree.readFile(path ? `${path}/package.json` : 'package.json');
    const why =
      manifest === undefined ? undefined : ownPackagesNeeded(new TextDecoder().decode(manifest), providedVersions());
    if (why === undefined) {
      installed = null;
    } else if (!this.options.dependencies) {
      throw new SynthesisError(
        'DependenciesFailed',
        `the deploy repository needs packages of its own (${why}), ` +
          'and this synthesizer installs none (no dependency store is configured)',
      );
    } else {
      try {
        installed = await this.options.dependencies.install(tree, path, source.npmAccess ?? (() => ({})));
      } catch (err) {
        if (!(err instanceof DependencyInstallError)) throw err;
        throw new SynthesisError(err.unavailable ? 'DependenciesUnavailable' : 'DependenciesFailed', err.message);
      }
    }
    if (cacheable)
      remember(
        this.installs,
        key,
        { value: installed, inputs: await tree.inputs() },
        this.options.bundleCacheSize ?? 32,
      );
    return installed;
  }

  /** The vendor bundle of an install, exposing what the bundle imports and what the worker builds with. */
  private async vendor(installed: InstalledDependencies, bundle: DeployBundle): Promise<VendorBundle> {
    const names = new Set(installed.packages.map((p) => p.name));
    const specifiers = [...bundle.vendorSpecifiers, ...VENDOR_LIBRARIES.filter((n) => names.has(n))];
    const wanted = `${installed.key}\0${[...new Set(specifiers)].sort().join('\0')}`;
    const cached = this.vendors.get(wanted);
    if (cached) return cached;
    const vendor = await bundleVendor(installed.dir, installed.key, specifiers);
    remember(this.vendors, wanted, vendor, 8);
    return vendor;
  }

  private async bundle(
    source: SourceTree,
    path: string,
    installed: InstalledDependencies | null,
    reads: RecordingTree,
  ): Promise<DeployBundle> {
    const cacheable = !source.revision.startsWith('dir:');
    const key = `${source.revision}\0${path}\0${installed?.key ?? ''}`;
    const cached = cacheable ? this.bundles.get(key) : undefined;
    if (cached) {
      reads.merge(cached.inputs);
      return cached.value;
    }
    const tree = reads.child();
    const bundle = await bundleDeployRepo(tree, {
      path,
      exports: this.pool.exports,
      installed: installed ? new Set(installed.packages.map((p) => p.name)) : undefined,
    });
    if (cacheable)
      remember(this.bundles, key, { value: bundle, inputs: await tree.inputs() }, this.options.bundleCacheSize ?? 32);
    return bundle;
  }
}

/** What the worker builds and renders with, from a repository's own install: the kit, cdk8s, constructs. */
const VENDOR_LIBRARIES = ['@keelson/cdk8s-app', 'cdk8s', 'constructs'];

let provided: ProvidedVersions | undefined;
/** The versions of the packages Keelson provides to synthesis, as installed with it. */
function providedVersions(): ProvidedVersions {
  const require = createRequire(import.meta.url);
  provided ??= Object.fromEntries(
    ['cdk8s', 'cdk8s-plus-27', 'constructs'].map((name) => [
      name,
      (require(`${name}/package.json`) as { version: string }).version,
    ]),
  );
  return provided;
}

/** Sets `key` in a map kept to `max` entries, the oldest dropped first. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

/** The deploy repository's images.json, parsed, or undefined when it has none. */
async function readImages(tree: SourceTree, file: string): Promise<unknown> {
  const bytes = await tree.readFile(file);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (err) {
    throw new SynthesisError('BuildFailed', `${file}: not valid JSON: ${(err as Error).message}`, file);
  }
}
