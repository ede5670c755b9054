// `keelson secrets check <dir> --env <name> --store <dir> --key <file> [--passphrase-file f]`
// Lists every PassSecret reference of one environment and whether it resolves against a
// pass store on disk, without printing any value. Exit 0: all resolve; 1: some do not (or
// the key cannot be used); 2: usage. `<dir>` is synthesized as `keelson synth` does;
// `--manifests <file>` checks already-synthesized YAML instead.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describeKey, type KubeObject } from '../core/manifest.ts';
import { PassSecretError } from '../core/secrets/errors.ts';
import { checkPassSecrets, type ReferenceCheck } from '../core/secrets/resolve.ts';
import type { SynthesisResult } from '../core/synthesis.ts';
import { DecryptionKey } from '../adapters/pass/decryption-key.ts';
import { PassStore } from '../adapters/pass/pass-store.ts';
import { DirectoryTree } from '../adapters/source/directory-tree.ts';

export const USAGE =
  'usage: keelson secrets check <dir> --env <name> --store <dir> --key <file> [--passphrase-file <file>] [--manifests <file>] [-o json]';

export interface SecretsCheckOptions {
  /** Synthesizes `<dir>` for one environment. @default the local sandboxed synthesizer of `keelson synth` */
  readonly synthesize?: (dir: string, environment: string) => Promise<SynthesisResult>;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

/** Runs the command with the arguments after `secrets check`; resolves to the exit code. */
export async function run(args: readonly string[], options: SecretsCheckOptions = {}): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    err(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  try {
    const objects = await loadObjects(parsed, options);
    const passphrase =
      parsed.passphraseFile === undefined ? undefined : firstLine(await readFile(parsed.passphraseFile, 'utf8'));
    const key = await DecryptionKey.load({ privateKey: await readFile(parsed.key), passphrase });
    const store = new PassStore({ tree: new DirectoryTree(parsed.store), key });
    const checks = await checkPassSecrets(objects, store);
    const warnings = await staleRecipientWarnings(checks, store, key);
    if (parsed.output === 'json') out(JSON.stringify(checksAsJson(checks, parsed.env, warnings), null, 2));
    else for (const line of formatChecks(checks, parsed.env)) out(line);
    for (const line of warnings) err(`warning: ${line}`);
    return checks.every((c) => !c.error) ? 0 : 1;
  } catch (e) {
    // Key and file errors name files, keys and paths only; anything else is reported by type, not content.
    err(`keelson secrets check: ${e instanceof PassSecretError ? e.message : describeError(e)}`);
    return 1;
  }
}

function parse(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      env: { type: 'string' },
      store: { type: 'string' },
      key: { type: 'string' },
      'passphrase-file': { type: 'string' },
      manifests: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
  });
  const dir = positionals[0];
  if (positionals.length > 1) throw new Error(`one <dir> expected, got ${positionals.length}`);
  if (!values.env || !values.store || !values.key) throw new Error('--env, --store and --key are required');
  if (!dir && !values.manifests) throw new Error('<dir> (or --manifests <file>) is required');
  if (values.output !== undefined && values.output !== 'json')
    throw new Error(`--output must be json, not "${values.output}" (the table is the default)`);
  return {
    dir,
    env: values.env,
    store: values.store,
    key: values.key,
    passphraseFile: values['passphrase-file'],
    manifests: values.manifests,
    output: values.output,
  };
}

async function loadObjects(args: ReturnType<typeof parse>, options: SecretsCheckOptions): Promise<KubeObject[]> {
  if (args.manifests) return readManifests(await readFile(args.manifests, 'utf8'));
  const synthesize = options.synthesize ?? ((dir, env) => synthesizeLocally(dir, env, options.err));
  const result = await synthesize(args.dir!, args.env);
  return result.apps.flatMap((app) => [...app.objects]);
}

/** The sandboxed synthesizer `keelson synth` uses, over the directory; the deploy repo's output goes to stderr. */
async function synthesizeLocally(
  dir: string,
  environment: string,
  err?: (line: string) => void,
): Promise<SynthesisResult> {
  const { relayLogs, withLocalSynthesizer } = await import('./local-synthesis.ts');
  const io = {
    stdout: (t: string) => process.stdout.write(t),
    stderr: (t: string) => (err ? err(t.replace(/\n$/, '')) : process.stderr.write(t)),
    env: process.env,
    cwd: process.cwd(),
    isTty: false,
  };
  const { result, logs } = await withLocalSynthesizer(dir, io, (s, source) => s.synthesize(source, environment));
  relayLogs(logs, io);
  return result;
}

/** Kubernetes objects from multi-document YAML (a `List` is flattened). */
export function readManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new Error(`the manifests are not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    const value = doc.toJS() as KubeObject | null;
    if (!value) continue;
    if (value.kind === 'List' && Array.isArray(value.items)) objects.push(...(value.items as KubeObject[]));
    else objects.push(value);
  }
  return objects.filter((o) => typeof o.kind === 'string' && typeof o.metadata?.name === 'string');
}

/** A table of references: Secret, data key, pass path, field, and `ok` or the reason and detail. */
export function formatChecks(checks: readonly ReferenceCheck[], environment: string): string[] {
  if (checks.length === 0) return [`environment ${environment}: no PassSecret references`];
  const rows = checks.map((c) => [
    describeKey(c.secret),
    c.dataKey || '-',
    c.ref?.path || c.error?.path || '-',
    c.ref?.field ?? '-',
    c.error ? `${c.error.reason}: ${c.error.detail}` : 'ok',
  ]);
  const header = ['SECRET', 'KEY', 'PASS PATH', 'FIELD', 'RESULT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const failed = checks.filter((c) => c.error).length;
  return [
    line(header),
    ...rows.map(line),
    `environment ${environment}: ${checks.length} references, ${checks.length - failed} resolve, ${failed} do not`,
  ];
}

/**
 * Entries that resolve today but whose `.gpg-id` does not name the key: the next `pass`
 * edit or `pass init` there re-encrypts them without it, and the sync starts failing.
 */
async function staleRecipientWarnings(
  checks: readonly ReferenceCheck[],
  store: PassStore,
  key: DecryptionKey,
): Promise<string[]> {
  const paths = [...new Set(checks.filter((c) => !c.error && c.ref).map((c) => c.ref!.path))];
  const warnings: string[] = [];
  for (const path of paths) {
    const recipients = await store.recipientsOf(path);
    if (!recipients.some((r) => key.isNamedBy(r))) {
      warnings.push(
        `${path}: its .gpg-id lists ${recipients.join(', ') || 'nobody'}, not the key; the next pass edit there will re-encrypt it without the key`,
      );
    }
  }
  return warnings;
}

/** The checks for scripts and CI: one record per reference, `ok` or the reason and detail; no values. */
export function checksAsJson(checks: readonly ReferenceCheck[], environment: string, warnings: readonly string[]) {
  return {
    environment,
    ok: checks.every((c) => !c.error),
    references: checks.map((c) => ({
      secret: { kind: c.secret.kind, namespace: c.secret.namespace, name: c.secret.name },
      dataKey: c.dataKey,
      path: c.ref?.path ?? c.error?.path ?? '',
      field: c.ref?.field,
      ok: !c.error,
      reason: c.error?.reason,
      detail: c.error?.detail,
    })),
    warnings,
  };
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}

function describeError(e: unknown): string {
  const code = (e as { code?: string }).code;
  const path = (e as { path?: string }).path;
  if (code && path) return `${code}: ${path}`;
  return e instanceof Error ? e.message : String(e);
}
