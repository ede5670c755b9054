// The `keelson` command: a table of subcommands, one file each, each loaded only when it runs
// (so `keelson synth` does not pay for the Kubernetes client). Exit codes: 0 success,
// 1 failure, 2 bad usage.
import type { Command, CommandIO } from './command.ts';
import { UsageError } from './command.ts';
import { describeConnectionError } from './connection-error.ts';

/** A subcommand by name; its module is imported on first use. */
export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'list', load: async () => (await import('./list.ts')).listCommand },
  { name: 'get', load: async () => (await import('./get.ts')).getCommand },
  { name: 'diff', load: async () => (await import('./diff.ts')).diffCommand },
  { name: 'sync', load: async () => (await import('./sync.ts')).syncCommand },
  { name: 'refresh', load: async () => (await import('./refresh.ts')).refreshCommand },
  { name: 'history', load: async () => (await import('./history.ts')).historyCommand },
  { name: 'windows', load: async () => (await import('./windows.ts')).windowsCommand },
  { name: 'rollback', load: async () => (await import('./rollback.ts')).rollbackCommand },
  { name: 'suspend', load: async () => (await import('./suspend.ts')).suspendCommand },
  { name: 'resume', load: async () => (await import('./suspend.ts')).resumeCommand },
  { name: 'action', load: async () => (await import('./action.ts')).actionCommand },
  { name: 'secrets', load: async () => (await import('./secrets.ts')).secretsCommand },
  { name: 'synth', load: async () => (await import('./synth.ts')).synthCommand },
  { name: 'envs', load: async () => (await import('./envs.ts')).envsCommand },
  { name: 'import', load: async () => (await import('./import.ts')).importCommand },
  { name: 'health', load: async () => (await import('./health.ts')).healthCommand },
  { name: 'init', load: async () => (await import('./init.ts')).initCommand },
  { name: 'set-image', load: async () => (await import('./set-image.ts')).setImageCommand },
  { name: 'cluster', load: async () => (await import('./clusters.ts')).clusterCommand },
  { name: 'operator', load: async () => (await import('./operator.ts')).operatorCommand },
];

export async function helpText(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map((c) => c.load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'keelson — GitOps for cdk8s deploy repositories',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `keelson <command> --help` for a command's usage.",
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(await helpText());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`keelson: unknown command "${name}"\n\n${await helpText()}`);
    return 2;
  }
  const command = await entry.load();
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
  // A connection that failed: its code (ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...), not "fetch failed".
  const unreachable = describeConnectionError(err, 'the server', undefined);
  if (unreachable) return unreachable;
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
