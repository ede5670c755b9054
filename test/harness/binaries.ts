// Where the control-plane binaries (and helm 3 and 4, kustomize and the OCI registry) are, building
// them first (once, cached by version) with build-binaries.sh. KEELSON_K8S_VERSION selects the
// Kubernetes version (`1.35` or `v1.35.4`; the newest supported by default): the Kubernetes binaries
// are named by their version, so control planes of several versions can run side by side.
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

const KUBERNETES_BINARIES: readonly BinaryName[] = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

/** The Kubernetes version the harness starts: KEELSON_K8S_VERSION resolved by build-binaries.sh. */
export async function kubernetesVersion(): Promise<string> {
  return (await run(script, ['--print-k8s-version'])).stdout.trim();
}

export async function ensureBinaries(): Promise<Binaries> {
  const [dir, version] = await Promise.all([
    run(script, ['--print']).then((r) => r.stdout.trim()),
    kubernetesVersion(),
  ]);
  const file = (n: BinaryName): string => (KUBERNETES_BINARIES.includes(n) ? `${n}-${version}` : n);
  const paths = Object.fromEntries(BINARY_NAMES.map((n) => [n, join(dir, file(n))])) as Binaries;
  if (BINARY_NAMES.some((n) => !existsSync(paths[n]))) {
    process.stderr.write('building the control-plane binaries from Go modules (once; see README for times)\n');
    await buildAll();
  }
  return paths;
}

/**
 * The OIDC provider of the single-sign-on tests (test/harness/oidc-provider), built first when
 * its sources changed (build-binaries.sh names it by a hash of them).
 */
export async function oidcProviderBinary(): Promise<string> {
  const path = (await run(script, ['--print-oidc-provider'])).stdout.trim();
  if (!existsSync(path)) await buildAll();
  if (!existsSync(path)) throw new Error(`${script} did not build ${path}`);
  return path;
}

function buildAll(): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(script, [], { stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
  });
}
