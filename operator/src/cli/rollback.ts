// `keelson rollback <env> [<id>]`: syncs the revision of an earlier history entry (the one
// before the current revision by default) and pauses automated sync until `keelson resume`,
// so the next commit does not roll forward again behind the operator's back.
import { findRollbackTarget } from '../core/environment/history.ts';
import { ANNOTATION_AUTO_SYNC_PAUSED } from '../core/keys.ts';
import { CLUSTER_OPTIONS, parseCommandArgs, UsageError, type Command } from './command.ts';
import { connect } from './cluster.ts';
import { followOperation, parseTimeout, requestSync } from './sync.ts';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Sync an earlier revision from the history and pause automated sync',
  usage: 'keelson rollback <environment> [<history id>] [-n <namespace>] [--wait] [--timeout 10m]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...CLUSTER_OPTIONS, wait: { type: 'boolean' }, timeout: { type: 'string' } }, { min: 1, max: 2 });
    const id = positionals[1] === undefined ? undefined : Number(positionals[1]);
    if (id !== undefined && !Number.isInteger(id)) throw new UsageError(`the history id must be a whole number, not "${positionals[1]}"`);
    const timeoutMs = parseTimeout(values.timeout);
    const cluster = connect(values, io);
    const name = positionals[0]!;
    const env = await cluster.resources.getEnvironment(cluster.namespace, name);
    const target = findRollbackTarget(env.status?.history ?? [], env.status?.history?.[0]?.revision, id);
    const commit = /@sha1:([0-9a-f]{40})$/.exec(target.revision)?.[1];
    if (!commit) throw new Error(`history entry ${target.id} has no commit in its revision "${target.revision}"`);
    const request = await requestSync(cluster, name, { token: new Date().toISOString(), commit }, {
      [ANNOTATION_AUTO_SYNC_PAUSED]: `rollback to history entry ${target.id} (${target.revision}) by ${cluster.user}`,
    });
    io.stdout(`rolling ${cluster.namespace}/${name} back to entry ${target.id}: ${target.revision}\nautomated sync is paused; \`keelson resume ${name}\` turns it back on\n`);
    if (!values.wait) return 0;
    return followOperation(cluster, name, `${request.token}@${commit}`, timeoutMs, io);
  },
};
