// `keelson refresh <env>`: fetch the source and compare again now, without syncing.
import { ANNOTATION_REFRESH_REQUESTED_AT } from '../core/keys.ts';
import { CLUSTER_OPTIONS, parseCommandArgs, type Command } from './command.ts';
import { connect } from './cluster.ts';

export const refreshCommand: Command = {
  name: 'refresh',
  summary: "Fetch the Environment's source and compare it with the cluster now",
  usage: 'keelson refresh <environment> [-n <namespace>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, CLUSTER_OPTIONS, { min: 1, max: 1 });
    const cluster = connect(values, io);
    const name = positionals[0]!;
    const token = new Date().toISOString();
    const env = await cluster.resources.getEnvironment(cluster.namespace, name);
    const annotations = { [ANNOTATION_REFRESH_REQUESTED_AT]: token };
    await cluster.resources.patchGitRepository(cluster.namespace, env.spec.sourceRef.name, {
      metadata: { annotations },
    });
    await cluster.resources.patchEnvironment(cluster.namespace, name, { metadata: { annotations } });
    io.stdout(`refresh of ${cluster.namespace}/${name} (and GitRepository ${env.spec.sourceRef.name}) requested\n`);
    return 0;
  },
};
