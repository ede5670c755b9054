// `keelson diff <env>`: what a sync of the Environment would change, Secret values masked.
// By default it is computed here with nothing but the user's kubeconfig (client certificates,
// tokens or exec plugins; local-diff.ts, ADR 16): the desired state of the GitRepository's
// artifact, or with `--path <dir>` of a checkout on disk, compared with the cluster by a
// server-side dry-run. RBAC: get on the Environment, its GitRepository and the Secrets they
// name, get and patch (create, for new objects) on what the Environment manages.
// `--server URL [--token T]` asks the operator's REST API for its last comparison instead.
// `keelson diff <dir> --env <env> --from <rev> [--to <rev>]` compares two revisions of a deploy
// repository instead, no cluster needed (revision-diff.ts).
// Exit codes as kubectl diff: 0 no differences, 1 differences, 2 an error (its cause named).
import { KubeApiError } from '../adapters/kubernetes/api-error.ts';
import { NotFoundError } from '../adapters/kubernetes/keelson-resources.ts';
import { SecretRedactor } from '../core/redact.ts';
import { SynthesisError } from '../core/synthesis-check.ts';
import { connect, type Cluster } from './cluster.ts';
import { CLUSTER_OPTIONS, parseCommandArgs, UsageError, type Command } from './command.ts';
import { describeConnectionError } from './connection-error.ts';
import { DiffError } from './diff-desired.ts';

const COLORS = { remove: '\u001b[31m', add: '\u001b[32m', hunk: '\u001b[36m', header: '\u001b[1m', reset: '\u001b[0m' };

/** Exit codes, as kubectl diff's. */
const NO_DIFFERENCES = 0;
const DIFFERENCES = 1;
const FAILED = 2;

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Show what a sync of an Environment would change (Secret values masked; exit 1 when it would)',
  usage:
    'keelson diff <environment> [-n <namespace>] [--path <checkout>] | [--server URL [--token TOKEN]]\n' +
    '       keelson diff <git dir> --env <env> --from <rev> [--to <rev, default HEAD>] [--path <dir in repo>] [-o markdown]\n' +
    '       (exit 0: no differences, 1: differences, 2: error)',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        ...CLUSTER_OPTIONS,
        path: { type: 'string' },
        server: { type: 'string' },
        token: { type: 'string' },
        env: { type: 'string', short: 'e' },
        from: { type: 'string' },
        to: { type: 'string' },
      },
      { min: 1, max: 1 },
    );
    if (values.from !== undefined || values.to !== undefined || values.env !== undefined)
      return diffRevisions(positionals[0]!, values, io);
    const server = values.server ?? io.env.KEELSON_SERVER;
    if (server && values.path)
      throw new UsageError('--path diffs a checkout here; --server asks the operator: not both');
    if (values.token && !server) throw new UsageError('--token is for --server (the local diff uses your kubeconfig)');
    const redactor = new SecretRedactor({ now: Date.now });
    let cluster: Cluster | undefined;
    try {
      cluster = connect(values, io);
      const name = positionals[0]!;
      if (server) {
        const { serverDiff } = await import('./server-diff.ts');
        const text = await serverDiff(cluster, name, { server, token: values.token ?? io.env.KEELSON_TOKEN });
        io.stdout(io.isTty ? colorize(text) : text);
        return /^--- live /m.test(text) ? DIFFERENCES : NO_DIFFERENCES;
      }
      const { localDiff } = await import('./local-diff.ts');
      const diff = await localDiff(cluster, name, { redactor, path: values.path }, io);
      io.stdout(io.isTty ? colorize(diff.text) : diff.text);
      for (const p of diff.problems) io.stderr(`keelson diff: ${p}\n`);
      if (diff.problems.length > 0) return FAILED;
      return diff.differences > 0 ? DIFFERENCES : NO_DIFFERENCES;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      io.stderr(`keelson diff: ${redactor.redactText(describeFailure(err, cluster))}\n`);
      return FAILED;
    }
  },
};

/** `keelson diff <dir> --env --from [--to]`: two revisions of the deploy repository, synthesized here (revision-diff.ts). */
async function diffRevisions(
  dir: string,
  values: { env?: string; from?: string; to?: string; path?: string; output?: string; server?: string },
  io: Parameters<Command['run']>[1],
): Promise<number> {
  if (values.from === undefined)
    throw new UsageError('--from is required to diff two revisions (--to defaults to HEAD)');
  if (values.env === undefined) throw new UsageError('--env is required (`keelson envs <dir>` lists the environments)');
  if (values.server !== undefined)
    throw new UsageError('--from/--to diff two revisions here; --server asks the operator: not both');
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'markdown')
    throw new UsageError(`--output must be text or markdown, not "${output}"`);
  const redactor = new SecretRedactor({ now: Date.now });
  try {
    const { revisionDiff } = await import('./revision-diff.ts');
    const diff = await revisionDiff(
      { dir, env: values.env, from: values.from, to: values.to, path: values.path, output },
      io,
    );
    io.stdout(io.isTty && output === 'text' ? colorize(diff.text) : diff.text);
    return diff.differences > 0 ? DIFFERENCES : NO_DIFFERENCES;
  } catch (err) {
    io.stderr(`keelson diff: ${redactor.redactText(describeFailure(err, undefined))}\n`);
    return FAILED;
  }
}

/** What went wrong, naming the cause (a connection error's code, an HTTP status) and what to do. */
function describeFailure(err: unknown, cluster: Cluster | undefined): string {
  if (err instanceof DiffError || err instanceof NotFoundError) return err.message;
  const apiServer = cluster?.kubeConfig.getCurrentCluster()?.server;
  const unreachable = describeConnectionError(err, 'the API server', apiServer);
  if (unreachable)
    return `${unreachable} (the kubeconfig's current context: ${cluster?.kubeConfig.getCurrentContext()})`;
  if (err instanceof KubeApiError) {
    if (err.status === 401)
      return `the API server did not accept the kubeconfig's credentials (HTTP 401 ${err.reason}): log in again or renew them`;
    if (err.status === 403)
      return `permission denied (HTTP 403): ${err.message}: the diff reads with your own credentials; ask for that permission`;
    return `the API server answered HTTP ${err.status} ${err.reason}: ${err.message}`;
  }
  if (err instanceof SynthesisError)
    return `the deploy repository did not synthesize (${err.reason}${err.location ? ` at ${err.location}` : ''}): ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function colorize(text: string): string {
  return text
    .split('\n')
    .map((l) =>
      l.startsWith('---') || l.startsWith('+++')
        ? `${COLORS.header}${l}${COLORS.reset}`
        : l.startsWith('@@')
          ? `${COLORS.hunk}${l}${COLORS.reset}`
          : l.startsWith('-')
            ? `${COLORS.remove}${l}${COLORS.reset}`
            : l.startsWith('+')
              ? `${COLORS.add}${l}${COLORS.reset}`
              : l,
    )
    .join('\n');
}
