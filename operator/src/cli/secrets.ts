// `keelson secrets <subcommand>`: today `check` (secrets-check.ts).
import type { Command } from './command.ts';
import { UsageError } from './command.ts';
import { run as runSecretsCheck, USAGE as CHECK_USAGE } from './secrets-check.ts';

export const secretsCommand: Command = {
  name: 'secrets',
  summary: 'Check that every PassSecret reference of an environment resolves (no values printed)',
  usage: CHECK_USAGE.replace(/^usage: /, ''),
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'check')
      throw new UsageError(sub === undefined ? 'missing subcommand (check)' : `unknown subcommand "${sub}"`);
    return runSecretsCheck(rest, { out: (l) => io.stdout(`${l}\n`), err: (l) => io.stderr(`${l}\n`) });
  },
};
