// `keelson operator`: runs the operator in this process (the container's command, or a
// local run against any kubeconfig). Configuration comes from flags and KEELSON_*
// variables, read once; SIGTERM and SIGINT stop it gracefully.
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOperatorConfig } from '../core/operator-config.ts';
import { UsageError, type Command } from './command.ts';

export const operatorCommand: Command = {
  name: 'operator',
  summary: 'Run the Keelson operator (controllers, API, webhook receiver, metrics)',
  usage:
    'keelson operator [--listen :8080] [--metrics-listen :8081] [--kubeconfig FILE] [--namespaces a,b] [--leader-elect] [--concurrency N] [--cache-dir DIR] [--log-level info] ... (see docs/operations.md)',
  async run(args, io) {
    let config;
    try {
      config = parseOperatorConfig({
        argv: args,
        env: io.env,
        defaults: {
          namespace: 'keelson-system',
          identity: `${hostname()}-${process.pid}`,
          cacheDir: join(tmpdir(), 'keelson-cache'),
        },
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { runOperator } = await import('../main.ts');
    let exitCode: number | undefined;
    const operator = await runOperator(config, { onLostLeadership: () => void shutdown(1) });
    let done: (code: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => (done = resolve));
    // The first reason to stop decides the exit code: a Lease lost while stopping after a
    // SIGTERM (the API server gone) is part of that stop, not a failure of its own.
    async function shutdown(code: number): Promise<void> {
      exitCode ??= code;
      await operator.stop();
      // What a stop abandoned (requests to an API server that does not answer) must not hold
      // the process; the delay lets the last log lines reach a piped stdout.
      setTimeout(() => process.exit(exitCode), 2000).unref();
      done(exitCode);
    }
    process.once('SIGTERM', () => void shutdown(0));
    process.once('SIGINT', () => void shutdown(0));
    return finished;
  },
};
