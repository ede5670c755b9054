// `keelson diff <dir> --env <env> --from <rev> [--to <rev>] [--path <dir in repo>] [-o markdown]`:
// what a change to the deploy repository would change, before it is merged. Both revisions
// of the Git repository at <dir> are read from its object store (GitCommitTree: no checkout,
// no git binary), synthesized here by the synthesizer `keelson synth` runs, and compared
// desired against desired per object key by the operator's own comparison (core/diff):
// objects only in --from are removed, only in --to added, on both compared field by field,
// Secret data by hash and printed masked. No cluster is needed. PassSecrets are not
// resolved: their placeholders are compared, so a changed pass reference shows and a
// changed value in the pass store does not (said in the output).
import { resolve } from 'node:path';
import {
  compareResource,
  pairResources,
  renderDiff,
  renderMarkdownDiff,
  summarizeChanges,
  type DiffLabels,
  type ResourceComparison,
} from '../core/diff/index.ts';
import type { KubeObject } from '../core/manifest.ts';
import { hasPassRefs } from '../core/secrets/pass-refs.ts';
import { SynthesisError } from '../core/synthesis-check.ts';
import { GitCommitTree, NotAGitRepositoryError, UnknownRevisionError } from '../adapters/source/git-commit-tree.ts';
import type { CommandIO } from './command.ts';
import { DiffError } from './diff-desired.ts';
import { relayLogs, withSynthesizer } from './local-synthesis.ts';

export interface RevisionDiffOptions {
  /** A folder in the Git repository (its working tree, or a bare repository). */
  readonly dir: string;
  readonly env: string;
  readonly from: string;
  /** @default 'HEAD' */
  readonly to?: string | undefined;
  /** The deploy repository's folder in the Git repository. @default '.' */
  readonly path?: string | undefined;
  readonly output: 'text' | 'markdown';
}

export interface RevisionDiff {
  readonly text: string;
  /** Objects added, removed or changed. */
  readonly differences: number;
}

/** The diff between two revisions of the deploy repository, as text or Markdown. */
export async function revisionDiff(options: RevisionDiffOptions, io: CommandIO): Promise<RevisionDiff> {
  const to = options.to ?? 'HEAD';
  const cache = {};
  const [fromTree, toTree] = await Promise.all([
    openTree(options.dir, options.from, cache, io),
    openTree(options.dir, to, cache, io),
  ]);
  const path = options.path ?? '.';
  const [before, after] = await withSynthesizer(io, async (synthesizer, npmAccess) => {
    const synth = async (tree: GitCommitTree, name: string): Promise<KubeObject[]> => {
      try {
        const { result, logs } = await synthesizer.synthesize({ tree, path, npmAccess }, options.env);
        relayLogs(logs, io);
        return result.apps.flatMap((a) => a.objects);
      } catch (err) {
        if (err instanceof SynthesisError)
          throw new SynthesisError(err.reason, `at ${name} (${short(tree)}): ${err.message}`, err.location);
        throw err;
      }
    };
    return [await synth(fromTree, options.from), await synth(toTree, to)] as const;
  });
  const comparisons = compareRevisions(before, after);
  const fromName = `${options.from} (${short(fromTree)})`;
  const toName = `${to} (${short(toTree)})`;
  const labels: DiffLabels = {
    old: options.from,
    new: to,
    added: `added in ${to}`,
    removed: `removed in ${to}`,
  };
  const passSecrets = after.filter(hasPassRefs).length;
  const note =
    passSecrets > 0
      ? `PassSecrets (${passSecrets}) are compared by their pass references; values in the pass store are not compared.`
      : undefined;
  const title = `${options.env}${path === '.' ? '' : ` (${path})`}: ${fromName} → ${toName}`;
  if (options.output === 'markdown') {
    const md = renderMarkdownDiff(comparisons, { title, labels });
    return { text: note ? `${md}\n_${note}_\n` : md, differences: comparisons.length };
  }
  const { added, removed, changed } = summarizeChanges(comparisons);
  const lines = [`# ${title}`];
  if (comparisons.length === 0) lines.push('# no changes');
  else
    lines.push(`# ${added} added, ${removed} removed, ${changed} changed`, renderDiff(comparisons, labels).trimEnd());
  if (note) lines.push(`# ${note}`);
  return { text: `${lines.join('\n')}\n`, differences: comparisons.length };
}

/**
 * Desired against desired, per object key: the `to` object as desired and as the exact
 * prediction (so a field only `from` sets counts too), the `from` object as live.
 * Only the changed objects are returned, sorted by key.
 */
export function compareRevisions(before: readonly KubeObject[], after: readonly KubeObject[]): ResourceComparison[] {
  return pairResources(after, before)
    .map((p) => compareResource({ desired: p.desired, live: p.live, predicted: p.desired }))
    .filter((c) => c.status === 'OutOfSync');
}

async function openTree(dir: string, revision: string, cache: object, io: CommandIO): Promise<GitCommitTree> {
  try {
    return await GitCommitTree.open(resolve(io.cwd, dir), revision, cache);
  } catch (err) {
    if (err instanceof UnknownRevisionError || err instanceof NotAGitRepositoryError) throw new DiffError(err.message);
    throw err;
  }
}

function short(tree: GitCommitTree): string {
  return tree.commit.slice(0, 12);
}
