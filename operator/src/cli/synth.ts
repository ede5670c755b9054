// `keelson synth <dir> [--env <name>] [--out <dir>]`: synthesize one environment of a deploy
// repository on disk, exactly as the operator would, and print it as multi-document YAML or
// write one file per app (multi-document YAML, each document starting with `---`).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCommandArgs, UsageError, type Command } from './command.ts';
import { relayLogs, withLocalSynthesizer } from './local-synthesis.ts';
import { toYamlDocuments } from './manifest-yaml.ts';
import { SynthesisError } from '../core/synthesis-check.ts';

export const synthCommand: Command = {
  name: 'synth',
  summary: 'Synthesize one environment of a deploy repository to Kubernetes YAML',
  usage: 'keelson synth <dir> --env <name> [--out <dir>]   (--env optional for a plain cdk8s app)',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { env: { type: 'string', short: 'e' }, out: { type: 'string' } },
      { min: 1, max: 1 },
    );
    // A plain cdk8s app (app.synth(), no kit) needs no --env; one that defines environments does.
    const { result, logs } = await withLocalSynthesizer(positionals[0]!, io, (s, source) =>
      s.synthesize(source, values.env ?? ''),
    ).catch((err: unknown) => {
      if (!values.env && err instanceof SynthesisError && err.reason === 'UnknownEnvironment') {
        throw new UsageError('--env is required (`keelson envs <dir>` lists the environments)');
      }
      throw err;
    });
    relayLogs(logs, io);
    if (values.out) {
      const out = resolve(io.cwd, values.out);
      await mkdir(out, { recursive: true });
      for (const app of result.apps) await writeFile(join(out, `${app.name}.yaml`), toYamlDocuments(app.objects));
      io.stderr(`wrote ${result.apps.length} apps to ${out}: ${result.apps.map((a) => `${a.name}.yaml`).join(', ')}\n`);
    } else {
      io.stdout(toYamlDocuments(result.apps.flatMap((a) => a.objects)));
    }
    return 0;
  },
};
