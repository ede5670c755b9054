// Runs a command against a fresh control plane with the CRDs installed, and what the example
// deploy repository expects around it (example-charts.ts):
//   node test/harness/with-cluster.ts -- node --test test/e2e/*.test.ts
// KUBECONFIG points at the control plane for the command; the control plane stops when the
// command ends, on Ctrl-C, and on SIGTERM. The exit code is the command's.
import { spawn } from 'node:child_process';
import { ControlPlane } from './control-plane.ts';
import { dirname } from 'node:path';
import { ensureBinaries } from './binaries.ts';
import { installCrds, loadKubeConfig } from './kube.ts';
import { startExampleCharts } from './example-charts.ts';
import { AUDITED_GROUP } from './audit-log.ts';
import { assembleRuntimeTree, RUNTIME_TREE_ENV } from './runtime-tree.ts';
import { rmSync } from 'node:fs';

const sep = process.argv.indexOf('--');
const command = sep >= 0 ? process.argv.slice(sep + 1) : [];
if (command.length === 0) {
  console.error('usage: node test/harness/with-cluster.ts -- <command> [args...]');
  process.exit(2);
}

const started = Date.now();
// The operator's runtime tree, assembled once beside the control plane's start for every test
// process the command runs (runtime-tree.ts), and removed when the command ends.
const tree = assembleRuntimeTree();
tree.catch(() => undefined);
// The audit log records the requests of AUDITED_GROUP's members only: a test that runs a process
// as one of them reads what it sent (test/harness/audit-log.ts); nobody else's costs anything.
const cp = await ControlPlane.start({
  keepDir: process.env.KEELSON_KEEP_CLUSTER === '1',
  audit: { groups: [AUDITED_GROUP] },
});
await installCrds(loadKubeConfig(cp.kubeconfig));
const exampleCharts = await startExampleCharts();
const treeDir = await tree.then(
  (t) => t.dir,
  async (err: unknown) => {
    console.error(`with-cluster: the runtime tree could not be assembled: ${err instanceof Error ? err.message : err}`);
    await exampleCharts.stop().catch(() => undefined);
    await cp.stop();
    process.exit(1);
  },
);
console.error(`control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cp.server} (dir ${cp.dir})`);

const child = spawn(command[0]!, command.slice(1), {
  stdio: 'inherit',
  // helm and kustomize on the PATH, as on a user's machine: `keelson synth` renders charts with them.
  env: {
    ...process.env,
    KUBECONFIG: cp.kubeconfig,
    KEELSON_TEST_CLUSTER_DIR: cp.dir,
    [RUNTIME_TREE_ENV]: treeDir,
    PATH: `${dirname((await ensureBinaries()).helm)}:${process.env.PATH ?? ''}`,
  },
});
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await exampleCharts.stop().catch(() => undefined);
  await cp.stop();
  rmSync(treeDir, { recursive: true, force: true });
  process.exit(code);
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    child.kill(sig);
  });
}
child.on('exit', (code, signal) => void stop(code ?? (signal ? 1 : 0)));
