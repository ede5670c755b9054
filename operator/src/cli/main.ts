// The `keelson` command: a table of subcommands, one file each. Exit codes: 0 success,
// 1 failure, 2 bad usage.
import type { Command, CommandIO } from './command.ts';
import { UsageError } from './command.ts';
import { getCommand } from './get.ts';
import { historyCommand } from './history.ts';
import { listCommand } from './list.ts';
import { refreshCommand } from './refresh.ts';
import { rollbackCommand } from './rollback.ts';
import { secretsCommand } from './secrets.ts';
import { resumeCommand, suspendCommand } from './suspend.ts';
import { syncCommand } from './sync.ts';
import { envsCommand } from './envs.ts';
import { synthCommand } from './synth.ts';

export const COMMANDS: readonly Command[] = [
  listCommand,
  getCommand,
  syncCommand,
  refreshCommand,
  historyCommand,
  rollbackCommand,
  suspendCommand,
  resumeCommand,
  secretsCommand,
  synthCommand,
  envsCommand,
];

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'keelson — GitOps for cdk8s deploy repositories',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `keelson <command> --help` for a command\'s usage.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`keelson: unknown command "${name}"\n\n${helpText()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`keelson ${name}: ${err.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    io.stderr(`keelson ${name}: ${describeError(err)}\n`);
    return 1;
  }
}

function describeError(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const message = (JSON.parse(body) as { message?: string }).message;
      if (message) return message;
    } catch {
      // not a Kubernetes Status body
    }
  }
  return err instanceof Error ? err.message : String(err);
}

/** Runs the command line of this process and sets its exit code. */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await main(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTty: Boolean(process.stdout.isTTY),
  });
}

if (import.meta.main) await runCli();
