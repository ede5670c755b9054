// `keelson health <file.yaml>... [--rules <dir>] [-o json]`: the health Keelson gives every
// object of the files (object dumps, `kubectl get -o yaml` output, lists included), with the
// built-in rules and, with --rules, the user's Lua scripts in Argo CD's layout
// (`<group>/<Kind>/health.lua`, `_` for the core group): try a rule on real objects before it
// goes into the chart's `health.customizations`. Unhealthy objects still exit 0; a file that
// is not YAML, or a rule that does not compile, exits 1 naming it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { healthAssessor, type HealthRuleSource } from '../core/health/index.ts';
import type { KubeObject } from '../core/manifest.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';
import { table } from './format.ts';

export interface HealthRow {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly status: string;
  readonly message?: string;
}

/** A file or document that is not what the command reads. */
class HealthInputError extends Error {
  override readonly name = 'HealthInputError';
}

export const healthCommand: Command = {
  name: 'health',
  summary: 'Show the health Keelson gives the objects of YAML files (built-in rules and your Lua rules)',
  usage: 'keelson health <file.yaml>... [--rules <dir>] [-o json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { rules: { type: 'string' }, output: { type: 'string', short: 'o' } },
      { min: 1, max: Number.MAX_SAFE_INTEGER },
    );
    if (values.output !== undefined && values.output !== 'json')
      throw new UsageError(`-o ${values.output}: only json is supported`);
    let rules: HealthRuleSource | undefined;
    if (values.rules) {
      // A folder that cannot be read or a script that does not compile: the error names it.
      const { loadHealthRulesDirectory } = await import('../adapters/health/argocd-health-rules.ts');
      try {
        rules = await loadHealthRulesDirectory(resolve(io.cwd, values.rules));
      } catch (err) {
        io.stderr(`keelson health: --rules ${values.rules}: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
      }
    }
    let rows: HealthRow[];
    try {
      const objects = (await Promise.all(positionals.map((f) => readObjects(resolve(io.cwd, f), f)))).flat();
      const assess = healthAssessor(rules);
      rows = objects.map((obj) => {
        const health = assess(obj);
        return {
          kind: String(obj.kind),
          name: String(obj.metadata?.name ?? ''),
          namespace: obj.metadata?.namespace || undefined,
          status: health.status,
          message: health.message || undefined,
        };
      });
    } catch (err) {
      if (!(err instanceof HealthInputError)) throw err;
      io.stderr(`keelson health: ${err.message}\n`);
      return 1;
    }
    if (values.output === 'json') io.stdout(JSON.stringify(rows, null, 2) + '\n');
    else
      io.stdout(
        table(
          ['KIND', 'NAME', 'NAMESPACE', 'STATUS', 'MESSAGE'],
          rows.map((r) => [r.kind, r.name, r.namespace ?? '', r.status, r.message ?? '']),
        ),
      );
    return 0;
  },
};

/** The objects of a YAML file: every document, the items of a List. */
async function readObjects(path: string, shown: string): Promise<KubeObject[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new HealthInputError(`${shown}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const objects: KubeObject[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    const error = doc.errors[0];
    if (error)
      throw new HealthInputError(`${shown}: document ${i + 1} is not valid YAML: ${error.message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value) || typeof (value as KubeObject).kind !== 'string') {
      throw new HealthInputError(`${shown}: document ${i + 1} is not a Kubernetes object (no kind)`);
    }
    const obj = value as KubeObject & { items?: unknown };
    if (obj.kind.endsWith('List') && Array.isArray(obj.items)) objects.push(...(obj.items as KubeObject[]));
    else objects.push(obj);
  }
  return objects;
}
