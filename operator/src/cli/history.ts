// `keelson history <env>`: the last syncs, newest first.
import { CLUSTER_OPTIONS, checkOutput, parseCommandArgs, type Command } from './command.ts';
import { connect } from './cluster.ts';
import { age, render, table } from './format.ts';

export const historyCommand: Command = {
  name: 'history',
  summary: 'Show the last syncs of an Environment (the ids rollback takes)',
  usage: 'keelson history <environment> [-n <namespace>] [-o json|yaml]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, CLUSTER_OPTIONS, { min: 1, max: 1 });
    const output = checkOutput(values.output);
    const cluster = connect(values, io);
    const env = await cluster.resources.getEnvironment(cluster.namespace, positionals[0]!);
    const history = env.status?.history ?? [];
    if (output) {
      io.stdout(render(history, output));
      return 0;
    }
    if (history.length === 0) {
      io.stderr(`${cluster.namespace}/${positionals[0]} has no finished syncs yet.\n`);
      return 0;
    }
    const now = Date.now();
    io.stdout(
      table(
        ['ID', 'REVISION', 'DEPLOYED', 'INITIATED BY'],
        history.map((h) => [
          String(h.id),
          h.revision,
          `${age(h.deployedAt, now)} ago`,
          h.initiatedBy?.username ?? (h.initiatedBy?.automated ? 'automated' : '-'),
        ]),
      ),
    );
    return 0;
  },
};
