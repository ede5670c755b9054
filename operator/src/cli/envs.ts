// `keelson envs <dir>`: the environments a deploy repository defines, and the apps of each.
import { parseCommandArgs, type Command } from './command.ts';
import { relayLogs, withLocalSynthesizer } from './local-synthesis.ts';

export const envsCommand: Command = {
  name: 'envs',
  summary: 'List the environments of a deploy repository and their apps',
  usage: 'keelson envs <dir> [-o json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { output: { type: 'string', short: 'o' } },
      { min: 1, max: 1 },
    );
    const { environments, logs } = await withLocalSynthesizer(positionals[0]!, io, (s, source) =>
      s.listEnvironments(source),
    );
    relayLogs(logs, io);
    if (values.output === 'json') {
      io.stdout(`${JSON.stringify(environments, null, 2)}\n`);
      return 0;
    }
    const width = Math.max(11, ...environments.map((e) => e.name.length));
    io.stdout(
      `${'ENVIRONMENT'.padEnd(width)}  APPS\n${environments.map((e) => `${e.name.padEnd(width)}  ${e.apps.join(', ')}`).join('\n')}\n`,
    );
    return 0;
  },
};
