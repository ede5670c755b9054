// `keelson synth <dir> --env <name> [--out <dir>]`: synthesize one environment of a deploy
// repository on disk, exactly as the operator would, and print it as multi-document YAML or
// write one file per app (multi-document YAML, each document starting with `---`).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KubeObject } from '../core/manifest.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';
import { relayLogs, withLocalSynthesizer } from './local-synthesis.ts';

export const synthCommand: Command = {
  name: 'synth',
  summary: 'Synthesize one environment of a deploy repository to Kubernetes YAML',
  usage: 'keelson synth <dir> --env <name> [--out <dir>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { env: { type: 'string', short: 'e' }, out: { type: 'string' } }, { min: 1, max: 1 });
    if (!values.env) throw new UsageError('--env is required (`keelson envs <dir>` lists the environments)');
    // yaml loads while the worker starts
    const [{ result, logs }, { stringify }] = await Promise.all([
      withLocalSynthesizer(positionals[0]!, io, (s, source) => s.synthesize(source, values.env!)),
      import('yaml'),
    ]);
    const toYaml = (objects: readonly KubeObject[]) => objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
    relayLogs(logs, io);
    if (values.out) {
      const out = resolve(io.cwd, values.out);
      await mkdir(out, { recursive: true });
      for (const app of result.apps) await writeFile(join(out, `${app.name}.yaml`), toYaml(app.objects));
      io.stderr(`wrote ${result.apps.length} apps to ${out}: ${result.apps.map((a) => `${a.name}.yaml`).join(', ')}\n`);
    } else {
      io.stdout(toYaml(result.apps.flatMap((a) => a.objects)));
    }
    return 0;
  },
};
