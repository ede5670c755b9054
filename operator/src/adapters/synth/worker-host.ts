// What cdk8s, cdk8s-plus-27 and the kit see as `fs`, `os` and `child_process` inside the
// synthesis worker (the runtime bundle routes their imports here). Nothing reaches the real
// ones: files are the deploy repository's own, handed over by the operator with the
// request; `helm template` and `kustomize build` become render requests the operator
// carries out outside the sandbox. What a run asks for and was not given is recorded as a
// need and answered with a placeholder; the operator supplies it and runs the synthesis
// again, so `Include`, `Helm` and `ConfigMap.addFile` work unchanged, as under `cdk8s synth`.
import { posix } from 'node:path';
import { REPOSITORY_ROOT, resolveRepositoryPath } from '../../core/render/repository-path.ts';
import { parseAllDocuments } from 'yaml';
import { RENDER_FILE_PREFIX, type HostPath, type HostSupply, type RenderNeed, type RenderOutcome } from './protocol.ts';

const TMP_ROOT = '/keelson/tmp';
const YAML_FILE = /\.(ya?ml|json)$/;

interface RequestState {
  cwd: string;
  paths: Readonly<Record<string, HostPath>>;
  renders: Readonly<Record<string, RenderOutcome>>;
  temp: Map<string, string>;
  neededPaths: Set<string>;
  neededRenders: Map<string, RenderNeed>;
  counter: number;
}

let state: RequestState = fresh({ cwd: '', paths: {}, renders: {} });

function fresh(supply: HostSupply): RequestState {
  return { ...supply, temp: new Map(), neededPaths: new Set(), neededRenders: new Map(), counter: 0 };
}

/** Starts a request: what the operator supplied for it. */
export function beginHostRequest(supply: HostSupply): void {
  state = fresh(supply);
}

/** What the request asked for and was not given (empty when the run had everything). */
export function hostNeeds(): { paths: string[]; renders: RenderNeed[] } {
  return { paths: [...state.neededPaths].sort(), renders: [...state.neededRenders.values()] };
}

/** Whether the run so far was given everything it asked for. */
export function hostHasEverything(): boolean {
  return state.neededPaths.size === 0 && state.neededRenders.size === 0;
}

/** A repository path (relative to the deploy repository's folder, or under REPO_ROOT) as a tree path. */
export function treePathOf(path: string): string {
  return resolveRepositoryPath(String(path), state.cwd);
}

function lookup(path: string): HostPath | undefined {
  const tree = treePathOf(path);
  const found = state.paths[tree];
  if (found === undefined) state.neededPaths.add(tree);
  return found;
}

function notFound(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or folder in the repository: "${treePathOf(path)}"`), {
    code: 'ENOENT',
  });
}

function isTemp(path: string): boolean {
  return String(path).startsWith(`${TMP_ROOT}/`);
}

function readText(path: string): string {
  if (isTemp(path)) {
    const text = state.temp.get(path);
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  }
  const entry = lookup(path);
  if (entry === undefined) return '';
  if (entry.type === 'file') return entry.text;
  if (entry.type === 'dir')
    throw Object.assign(new Error(`EISDIR: "${treePathOf(path)}" is a folder`), { code: 'EISDIR' });
  throw notFound(path);
}

function stat(path: string): { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean } {
  const type = isTemp(path) ? (state.temp.has(path) ? 'file' : 'missing') : (lookup(path)?.type ?? 'file');
  if (type === 'missing') throw notFound(path);
  return { isFile: () => type === 'file', isDirectory: () => type === 'dir', isSymbolicLink: () => false };
}

function refuseWrite(path: string): never {
  throw new Error(`cannot write "${path}": synthesis does not write files`);
}

export const hostFs = {
  readFileSync(path: string, options?: string | { encoding?: string }): string | Buffer {
    const text = readText(path);
    const encoding = typeof options === 'string' ? options : options?.encoding;
    return encoding ? text : Buffer.from(text);
  },
  readdirSync(path: string): string[] {
    const entry = lookup(path);
    if (entry === undefined) return [];
    if (entry.type === 'dir') return entry.entries.map((e) => e.name);
    if (entry.type === 'file')
      throw Object.assign(new Error(`ENOTDIR: "${treePathOf(path)}" is a file`), { code: 'ENOTDIR' });
    throw notFound(path);
  },
  statSync: stat,
  lstatSync: stat,
  existsSync(path: string): boolean {
    if (isTemp(path)) return state.temp.has(path);
    const entry = lookup(path);
    return entry !== undefined && entry.type !== 'missing';
  },
  mkdtempSync(prefix: string): string {
    state.counter += 1;
    return `${TMP_ROOT}/${posix.basename(prefix)}${state.counter}`;
  },
  mkdirSync(path: string): void {
    if (!isTemp(path)) refuseWrite(path);
  },
  writeFileSync(path: string, data: string | Uint8Array): void {
    if (!isTemp(path)) refuseWrite(path);
    state.temp.set(path, typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  },
  rmSync(): void {},
};

export const hostOs = {
  tmpdir: () => TMP_ROOT,
  EOL: '\n',
  platform: () => 'linux',
};

/**
 * The libraries' `require('process')`: the real one, with an environment of their own that is
 * as empty as the worker's. They read it often (yaml reads LOG_TOKENS once per token), and each
 * read of process.env pays for the stack trace that tells deploy-repo code from a library.
 */
const LIBRARY_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({});
export const hostProcess = Object.create(process, { env: { value: LIBRARY_ENVIRONMENT } }) as NodeJS.Process;

interface SpawnResult {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly error?: Error;
}

/** A render request: `helm template …` or `kustomize build …`, with any temp file it names inlined. */
function render(tool: 'helm' | 'kustomize', args: readonly string[]): SpawnResult {
  const files: Record<string, string> = {};
  const plain = args.map((a) => {
    if (!isTemp(a)) return a;
    const placeholder = `${RENDER_FILE_PREFIX}${Object.keys(files).length}`;
    files[placeholder] = readText(a);
    return placeholder;
  });
  const key = JSON.stringify([tool, plain, files, state.cwd]);
  const outcome = state.renders[key];
  if (outcome === undefined) {
    state.neededRenders.set(key, { key, tool, args: plain, files, cwd: state.cwd });
    return { status: 0, stdout: Buffer.from(''), stderr: Buffer.from('') };
  }
  if ('error' in outcome) {
    throw Object.assign(new Error(outcome.error), {
      keelsonReason: outcome.unavailable ? 'ChartUnavailable' : 'RenderFailed',
    });
  }
  return { status: 0, stdout: Buffer.from(outcome.stdout), stderr: Buffer.from('') };
}

/** cdk8s's Yaml.load runs `node _loadurl.mjs <url-or-file>`: read the file (or every YAML file of a folder). */
function loadUrl(target: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new Error(
      `Include of "${target}": synthesis has no network; commit the file to the repository and include it by path`,
    );
  }
  if (isTemp(target)) return readText(target);
  const entry = lookup(target);
  if (entry === undefined) return '';
  if (entry.type === 'missing') throw new Error(`Include of "${target}": no such file or folder in the repository`);
  if (entry.type === 'file') return checkedYaml(target, entry.text);
  const names = entry.entries
    .filter((e) => e.type === 'file' && YAML_FILE.test(e.name))
    .map((e) => e.name)
    .sort();
  const base = treePathOf(target);
  return names.map((n) => checkedYaml(`${base}/${n}`, readText(posix.join(REPOSITORY_ROOT, base, n)))).join('\n---\n');
}

function checkedYaml(path: string, text: string): string {
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    const error = doc.errors[0];
    if (error) throw new Error(`Include of "${path}": not valid YAML: ${error.message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
      throw new Error(
        `Include of "${path}": document ${i + 1} is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}, ` +
          'not a Kubernetes object',
      );
    }
  }
  return text;
}

function refuseProgram(program: string): never {
  throw new Error(
    `"${program}" cannot run during synthesis: only \`helm template\` (through cdk8s's Helm) and ` +
      "`kustomize build` (through the kit's Kustomization) are carried out, by the operator",
  );
}

export const hostChildProcess = {
  spawnSync(program: string, args: readonly string[] = []): SpawnResult {
    const name = posix.basename(String(program));
    if (name === 'helm' && args[0] === 'template') return render('helm', args.slice(1));
    if (name === 'kustomize' && args[0] === 'build') {
      return render('kustomize', [treePathOf(args[1] ?? '.'), ...args.slice(2)]);
    }
    refuseProgram(program);
  },
  execFileSync(program: string, args: readonly string[] = []): string {
    if (program === process.execPath && String(args[0]).endsWith('_loadurl.mjs')) return loadUrl(String(args[1]));
    refuseProgram(program);
  },
};
