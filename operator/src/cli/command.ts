// The shape of a `keelson` subcommand, and the argument parsing they share. One file per
// command; main.ts holds the table.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when stdout is a terminal (colors, live progress). */
  readonly isTty: boolean;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the exit code. Throw UsageError for bad arguments (exit 2, usage printed). */
  run(args: readonly string[], io: CommandIO): Promise<number>;
}

/** Bad arguments: the message says what is wrong; the usage follows it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with errors turned into UsageError. */
export function parseCommandArgs<O extends Options>(
  args: readonly string[],
  options: O,
  positionals: { min: number; max: number },
) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UsageError(`missing argument${positionals.min - n > 1 ? 's' : ''}`);
  if (n > positionals.max) throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`);
  return parsed;
}

/** Options every cluster command takes, the way kubectl spells them. */
export const CLUSTER_OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const satisfies Options;

export function checkOutput(output: string | undefined): 'json' | 'yaml' | undefined {
  if (output === undefined || output === 'json' || output === 'yaml') return output;
  throw new UsageError(`--output must be json or yaml, not "${output}"`);
}
