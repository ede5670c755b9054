// Where the control-plane binaries (and helm 3 and 4, kustomize and the OCI registry) are, building
// them first (once, cached by version) with build-binaries.sh.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = join(dirname(fileURLToPath(import.meta.url)), 'build-binaries.sh');

export const BINARY_NAMES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
  'helm',
  'helm4',
  'kustomize',
  'registry',
] as const;
export type BinaryName = (typeof BINARY_NAMES)[number];
export type Binaries = Record<BinaryName, string>;

export async function ensureBinaries(): Promise<Binaries> {
  const { stdout } = await run(script, ['--print']);
  const dir = stdout.trim();
  const paths = Object.fromEntries(BINARY_NAMES.map((n) => [n, join(dir, n)])) as Binaries;
  if (BINARY_NAMES.some((n) => !existsSync(paths[n]))) {
    process.stderr.write('building the control-plane binaries from Go modules (once; see README for times)\n');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(script, [], { stdio: ['ignore', process.stderr, process.stderr] });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
    });
  }
  return paths;
}
