// Answers what a synthesis run asked for and was not given: repository paths (a file's
// text, a folder's entries, or "missing"), read from the SourceTree; and renders, carried
// out by the Renderer outside the sandbox. The answer joins what was supplied before, for
// the next run of the same synthesis.
import type { SourceTree } from '../../core/source.ts';
import { SynthesisError } from '../../core/synthesis-check.ts';
import type { ChartAccess } from '../render/chart-store.ts';
import type { Renderer } from '../render/renderer.ts';
import type { HostNeeds, HostPath, HostSupply, RenderOutcome } from './protocol.ts';

export interface SupplyOptions {
  readonly tree: SourceTree;
  readonly renderer?: Renderer | undefined;
  readonly chartAccess?: ((url: string) => ChartAccess) | undefined;
}

/** Bytes of one file a synthesis may read. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const NO_RENDERER = 'Helm charts and kustomizations cannot be rendered here (no renderer is configured)';

export async function supplyNeeds(host: HostSupply, needs: HostNeeds, options: SupplyOptions): Promise<HostSupply> {
  const paths: Record<string, HostPath> = { ...host.paths };
  await Promise.all(
    needs.paths.map(async (path) => {
      paths[path] = await readPath(options.tree, path);
    }),
  );
  const renders: Record<string, RenderOutcome> = { ...host.renders };
  const context = { tree: options.tree, accessFor: (url: string) => options.chartAccess?.(url) ?? {} };
  await Promise.all(
    needs.renders.map(async (need) => {
      renders[need.key] = options.renderer ? await options.renderer.render(need, context) : { error: NO_RENDERER };
    }),
  );
  return { cwd: host.cwd, paths, renders };
}

/** The supply without failed renders: a later synthesis of the same revision tries them again. */
export function withoutFailures(host: HostSupply): HostSupply {
  return { ...host, renders: Object.fromEntries(Object.entries(host.renders).filter(([, o]) => !('error' in o))) };
}

async function readPath(tree: SourceTree, path: string): Promise<HostPath> {
  const bytes = await tree.readFile(path);
  if (bytes !== undefined) {
    if (bytes.length > MAX_FILE_BYTES) {
      throw new SynthesisError(
        'EvaluationFailed',
        `"${path}" is ${bytes.length} bytes, over the limit of ${MAX_FILE_BYTES} for a file synthesis reads`,
      );
    }
    return { type: 'file', text: new TextDecoder().decode(bytes) };
  }
  const entries = await tree.readDir(path);
  return entries ? { type: 'dir', entries: entries.map((e) => ({ name: e.name, type: e.type })) } : { type: 'missing' };
}
