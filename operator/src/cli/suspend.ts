// `keelson suspend <env>` stops reconciling; `keelson resume <env>` starts it again and
// lifts the pause a rollback put on automated sync.
import { ANNOTATION_AUTO_SYNC_PAUSED } from '../core/keys.ts';
import { CLUSTER_OPTIONS, parseCommandArgs, type Command } from './command.ts';
import { connect } from './cluster.ts';

export const suspendCommand: Command = {
  name: 'suspend',
  summary: 'Stop reconciling an Environment (nothing is applied or pruned)',
  usage: 'keelson suspend <environment> [-n <namespace>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, CLUSTER_OPTIONS, { min: 1, max: 1 });
    const cluster = connect(values, io);
    await cluster.resources.patchEnvironment(cluster.namespace, positionals[0]!, { spec: { suspend: true } });
    io.stdout(`${cluster.namespace}/${positionals[0]} suspended\n`);
    return 0;
  },
};

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Resume a suspended Environment, and automated sync paused by a rollback',
  usage: 'keelson resume <environment> [-n <namespace>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, CLUSTER_OPTIONS, { min: 1, max: 1 });
    const cluster = connect(values, io);
    await cluster.resources.patchEnvironment(cluster.namespace, positionals[0]!, {
      metadata: { annotations: { [ANNOTATION_AUTO_SYNC_PAUSED]: null } },
      spec: { suspend: false },
    });
    io.stdout(`${cluster.namespace}/${positionals[0]} resumed\n`);
    return 0;
  },
};
