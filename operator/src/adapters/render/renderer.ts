// Carries out the renders a synthesis asks for — `helm template` of a chart, `kustomize
// build` of a folder — outside the synthesis sandbox, with the real tools under time and
// memory limits, and keeps each output by what went into it: the chart's digest (or the
// content hash of a chart folder), the values and the flags; for kustomize, the revision and
// the folder. The deploy repository's code only names what to render; it never runs a tool.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceTree } from '../../core/source.ts';
import { HelmArgumentError, parseHelmTemplate, type HelmTemplateRequest } from '../../core/render/helm-template.ts';
import { OutsideRepositoryError, resolveRepositoryPath } from '../../core/render/repository-path.ts';
import { ChartFetchError, ChartStore, type ChartAccess } from './chart-store.ts';
import { readLocalChart, writeLocalChart } from './local-chart.ts';
import { locateTool, runTool, type ToolLimits } from './tool-process.ts';
import { exportTree } from './tree-cache.ts';
import type { RenderNeed, RenderOutcome } from '../synth/protocol.ts';

export interface RendererOptions {
  readonly cacheDir: string;
  /** The helm program. @default 'helm' on the PATH */
  readonly helm?: string;
  /** The kustomize program. @default 'kustomize' on the PATH */
  readonly kustomize?: string;
  readonly limits?: Partial<ToolLimits>;
  /** Rendered outputs kept in memory. @default 128 */
  readonly cacheSize?: number;
}

export interface RenderContext {
  readonly tree: SourceTree;
  /** How to reach a chart repository or registry (credentials from the Environment). */
  accessFor(url: string): ChartAccess;
}

const DEFAULT_LIMITS: ToolLimits = { timeoutMs: 60_000, memoryMiB: 512, maxOutputBytes: 32 * 1024 * 1024 };

export class Renderer {
  readonly #options: RendererOptions;
  readonly #limits: ToolLimits;
  readonly #store: ChartStore;
  readonly #outputs = new Map<string, string>();

  constructor(options: RendererOptions) {
    this.#options = options;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#store = new ChartStore({ cacheDir: join(options.cacheDir, 'charts') });
  }

  /** Renders one need; a failure is an outcome whose error names the chart or folder, never a rejection. */
  async render(need: RenderNeed, context: RenderContext): Promise<RenderOutcome> {
    try {
      const stdout = need.tool === 'helm' ? await this.#helm(need, context) : await this.#kustomize(need, context);
      return { stdout };
    } catch (err) {
      if (err instanceof ChartFetchError) return { error: err.message, unavailable: err.unavailable || undefined };
      if (err instanceof HelmArgumentError || err instanceof OutsideRepositoryError || err instanceof RenderToolError)
        return { error: err.message };
      throw err;
    }
  }

  async #helm(need: RenderNeed, context: RenderContext): Promise<string> {
    const request = parseHelmTemplate(need.args, need.cwd);
    const chart = request.chart;
    const values = await Promise.all(request.valueFiles.map((f) => this.#valuesFile(f, need, context.tree)));
    // What identifies the chart is known before anything is written: a cached render writes nothing.
    const local = chart.type === 'local' ? await readLocalChart(context.tree, chart.path) : undefined;
    const fetched =
      chart.type === 'local'
        ? undefined
        : await this.#store.fetch(chart, context.accessFor(chart.type === 'oci' ? chart.reference : chart.repository));
    const key = hash([
      'helm',
      local?.digest ?? fetched!.digest,
      request.releaseName,
      request.namespace ?? '',
      values,
      request.flags,
    ]);
    const cached = this.#outputs.get(key);
    if (cached !== undefined) return cached;
    await mkdir(join(this.#options.cacheDir, 'work'), { recursive: true });
    const work = await mkdtemp(join(this.#options.cacheDir, 'work', 'helm-'));
    try {
      const chartPath = fetched?.file ?? join(work, 'chart');
      if (local) await writeLocalChart(local, chartPath, this.#store, context.accessFor);
      const args = [
        'template',
        request.releaseName,
        chartPath,
        ...(request.namespace ? ['--namespace', request.namespace] : []),
      ];
      for (const [i, text] of values.entries()) {
        const file = join(work, `values-${i}.yaml`);
        await writeFile(file, text);
        args.push('--values', file);
      }
      const result = await runTool(
        locateTool(this.#options.helm ?? 'helm'),
        [...args, ...request.flags],
        work,
        this.#limits,
      );
      if (!result.ok) {
        throw new RenderToolError(
          `helm template of ${describeChart(request)} failed: ${result.stderr.replaceAll(`${work}/`, '')}`,
        );
      }
      this.#remember(key, result.stdout);
      return result.stdout;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** The text of a values file: one the construct wrote, or a file of the repository (`helmFlags: ['-f', 'values/prod.yaml']`). */
  async #valuesFile(name: string, need: RenderNeed, tree: SourceTree): Promise<string> {
    const written = need.files[name];
    if (written !== undefined) return written;
    const path = resolveRepositoryPath(name, need.cwd);
    const bytes = await tree.readFile(path);
    if (bytes === undefined) throw new RenderToolError(`values file "${path}" is not in the repository`);
    return new TextDecoder().decode(bytes);
  }

  async #kustomize(need: RenderNeed, context: RenderContext): Promise<string> {
    const [path, ...extra] = need.args;
    if (path === undefined) throw new RenderToolError('kustomize build needs a folder');
    if (extra.length > 0)
      throw new RenderToolError(`kustomize build "${path}": extra arguments are not supported (${extra.join(' ')})`);
    const tree = context.tree;
    const cacheable = !tree.revision.startsWith('dir:');
    const key = hash(['kustomize', tree.revision, path]);
    const cached = cacheable ? this.#outputs.get(key) : undefined;
    if (cached !== undefined) return cached;
    if ((await tree.readDir(path)) === undefined)
      throw new RenderToolError(`kustomize build "${path}": no such folder in the repository`);
    const exported = await exportTree(tree, join(this.#options.cacheDir, 'trees'));
    try {
      const result = await runTool(
        locateTool(this.#options.kustomize ?? 'kustomize'),
        ['build', join(exported.dir, path)],
        exported.dir,
        this.#limits,
      );
      if (!result.ok)
        throw new RenderToolError(
          `kustomize build "${path}" failed: ${result.stderr.replaceAll(`${exported.dir}/`, '')}`,
        );
      if (cacheable) this.#remember(key, result.stdout);
      return result.stdout;
    } finally {
      await exported.release();
    }
  }

  #remember(key: string, output: string): void {
    this.#outputs.set(key, output);
    if (this.#outputs.size > (this.#options.cacheSize ?? 128)) this.#outputs.delete(this.#outputs.keys().next().value!);
  }
}

/** A render the tool refused: a template error, a missing base, a schema violation. */
export class RenderToolError extends Error {
  override readonly name = 'RenderToolError';
}

function describeChart(request: HelmTemplateRequest): string {
  const chart = request.chart;
  return chart.type === 'local' ? `the chart folder "${chart.path}"` : `chart ${ChartStore.describe(chart)}`;
}

function hash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
