// `keelson rollback <env> [<id>]`: syncs the revision of an earlier history entry (the one
// before the current revision by default) and pauses automated sync until `keelson resume`,
// so the next commit does not roll forward again behind the operator's back.
import { formatSyncRequest, planRollback } from '../core/environment/sync-request.ts';
import { CLUSTER_OPTIONS, parseCommandArgs, UsageError, type Command } from './command.ts';
import { connect } from './cluster.ts';
import { followOperation, parseTimeout } from './sync.ts';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Sync an earlier revision from the history and pause automated sync',
  usage: 'keelson rollback <environment> [<history id>] [-n <namespace>] [--wait] [--timeout 10m]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { ...CLUSTER_OPTIONS, wait: { type: 'boolean' }, timeout: { type: 'string' } },
      { min: 1, max: 2 },
    );
    const id = positionals[1] === undefined ? undefined : Number(positionals[1]);
    if (id !== undefined && !Number.isInteger(id))
      throw new UsageError(`the history id must be a whole number, not "${positionals[1]}"`);
    const timeoutMs = parseTimeout(values.timeout);
    const cluster = connect(values, io);
    const name = positionals[0]!;
    const env = await cluster.resources.getEnvironment(cluster.namespace, name);
    const { target, request, annotations } = planRollback(
      env.status?.history ?? [],
      id,
      cluster.user,
      new Date().toISOString(),
    );
    await cluster.resources.patchEnvironment(cluster.namespace, name, { metadata: { annotations } });
    io.stdout(
      `rolling ${cluster.namespace}/${name} back to entry ${target.id}: ${target.revision}\nautomated sync is paused; \`keelson resume ${name}\` turns it back on\n`,
    );
    if (!values.wait) return 0;
    return followOperation(cluster, name, formatSyncRequest(request), timeoutMs, io);
  },
};
