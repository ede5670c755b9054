// `make up` / `make down`: a local control plane that stays up between commands.
//   node test/harness/up.ts start   start it in the background (or report the running one)
//   node test/harness/up.ts stop    stop it
//   node test/harness/up.ts serve   (internal) the supervisor process that owns it
// State lives in .keelson/ at the repository root: kubeconfig, logs, supervisor pid.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { ensureBinaries } from './binaries.ts';
import { ControlPlane } from './control-plane.ts';
import { DEFAULT_NAMES, startDemo } from './demo.ts';
import { GitServer } from './git-server.ts';
import { eventually, loadKubeConfig, REPO_ROOT } from './kube.ts';
import { EXAMPLE_CHART_REPOSITORY, startExampleCharts } from './example-charts.ts';
import { tail } from './process-group.ts';

const run = promisify(execFile);

const STATE_DIR = join(REPO_ROOT, '.keelson');
const STATE = join(STATE_DIR, 'state.json');
const LOG = join(STATE_DIR, 'up.log');

interface State {
  readonly pid: number;
  readonly kubeconfig: string;
  readonly server: string;
  readonly startedInMs: number;
  /** A clone of the example deploy repository to edit, commit and push. */
  readonly deployClone: string;
  readonly apiUrl: string;
  readonly operatorLog: string;
  readonly environments: string;
  readonly operatorPid?: number;
}

function readState(): State | undefined {
  try {
    return JSON.parse(readFileSync(STATE, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function printWelcome(state: State): void {
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const ns = DEFAULT_NAMES.team;
  console.log(`
Keelson is running on a local control plane (${state.server}), up in ${(state.startedInMs / 1000).toFixed(1)} s:
the chart installed with helm, the operator running from the runtime tree with the chart's
ServiceAccount, the example deploy repository and a pass store on a local Git server, and the
chart repository the example names at ${EXAMPLE_CHART_REPOSITORY}.

${state.environments}
  export KUBECONFIG=$PWD/${rel(state.kubeconfig)}

Try:
  kubectl get environments -n ${ns}               # dev is Synced and Healthy, prod waits OutOfSync
  npx keelson get prod -n ${ns}                   # what is out of sync, and why
  PATH=~/.cache/keelson/bin:$PATH npx keelson synth cdk8s-app/example --env prod   # with helm and kustomize
  npx keelson sync prod -n ${ns} --wait           # sync prod, following hooks and waves
  kubectl scale deployment api -n ${DEFAULT_NAMES.dev} --replicas 5   # a hand edit: dev heals it within seconds
  cd ${rel(state.deployClone)} && $EDITOR images.json && git commit -am 'new tag' && git push
  npx keelson refresh dev -n ${ns}                # or wait for the 15 s poll
  npx keelson history prod -n ${ns} && npx keelson rollback prod -n ${ns} --wait

Web UI: ${state.apiUrl}/ui/   log in with the token of: kubectl create token deployer -n ${ns}

Operator log: ${state.operatorLog}    API: ${state.apiUrl}    Stop everything: make down
`);
}

async function start(): Promise<void> {
  const existing = readState();
  if (existing && isAlive(existing.pid)) {
    printWelcome(existing);
    return;
  }
  mkdirSync(STATE_DIR, { recursive: true });
  rmSync(STATE, { force: true });
  const log = openSync(LOG, 'w');
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, 'serve'], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  const onSignal = () => {
    child.kill('SIGTERM');
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let exited = false;
  child.on('exit', () => (exited = true));
  console.log(
    'starting Keelson on a local control plane (the first run builds the binaries from Go modules; see .keelson/up.log)...',
  );
  for (;;) {
    const state = readState();
    if (state) break;
    if (exited) {
      console.error(`the control plane did not start; ${LOG}:\n${tail(LOG, 40)}`);
      process.exit(1);
    }
    await sleep(250);
  }
  child.unref();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  printWelcome(readState()!);
  process.exit(0);
}

async function serve(): Promise<void> {
  const started = Date.now();
  const dir = join(STATE_DIR, 'cluster');
  rmSync(dir, { recursive: true, force: true });
  const cp = await ControlPlane.start({ dir, keepDir: true });
  const kubeconfig = join(STATE_DIR, 'kubeconfig');
  writeFileSync(kubeconfig, readFileSync(cp.kubeconfig), { mode: 0o600 });
  const git = await GitServer.start();
  const stopAll: (() => Promise<void>)[] = [() => cp.stop(), () => git.stop()];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const s of stopAll.reverse()) await s().catch(() => undefined);
    rmSync(STATE, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  try {
    const { helm } = await ensureBinaries();
    const charts = await startExampleCharts();
    stopAll.push(() => charts.stop());
    const demo = await startDemo({ kubeconfig, helm, git, dir: STATE_DIR, log: (line) => console.log(line) });
    stopAll.push(() => demo.stop());
    const kc = loadKubeConfig(kubeconfig);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const get = async (name: string) =>
      (await custom.getNamespacedCustomObject({
        group: 'keelson.dev',
        version: 'v1alpha1',
        namespace: DEFAULT_NAMES.team,
        plural: 'environments',
        name,
      })) as { status?: { sync?: { status?: string }; health?: { status?: string }; operation?: { phase?: string } } };
    console.log('waiting for dev to be Synced and Healthy and prod to report OutOfSync');
    await eventually(
      async () => {
        const [dev, prod] = [await get('dev'), await get('prod')];
        return (
          dev.status?.sync?.status === 'Synced' &&
          dev.status.health?.status === 'Healthy' &&
          dev.status.operation?.phase === 'Succeeded' &&
          prod.status?.sync?.status === 'OutOfSync'
        );
      },
      { timeoutMs: 180_000, intervalMs: 500, message: 'dev Synced and Healthy, prod OutOfSync' },
    );
    const deployClone = join(STATE_DIR, 'deploy');
    rmSync(deployClone, { recursive: true, force: true });
    await run('git', ['clone', '--quiet', git.authenticatedUrl('deploy'), deployClone]);
    await run('git', ['-C', deployClone, 'config', 'user.email', 'you@keelson.example']);
    await run('git', ['-C', deployClone, 'config', 'user.name', 'Keelson demo']);
    const { stdout: environments } = await run('kubectl', ['get', 'environments', '-n', DEFAULT_NAMES.team], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    const state: State = {
      pid: process.pid,
      kubeconfig,
      server: cp.server,
      startedInMs: Date.now() - started,
      deployClone,
      apiUrl: `http://127.0.0.1:${demo.operator.apiPort}`,
      operatorLog: demo.operator.logFile,
      environments,
      ...(demo.operator.pid ? { operatorPid: demo.operator.pid } : {}),
    };
    writeFileSync(STATE, JSON.stringify(state, null, 2));
    console.log(`ready: ${JSON.stringify({ pid: state.pid, server: state.server })}`);
  } catch (err) {
    console.error(`make up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await stop();
  }
  setInterval(() => undefined, 1 << 30);
}

async function stopRunning(): Promise<void> {
  const state = readState();
  if (!state || !isAlive(state.pid)) {
    console.log('no local control plane is running');
    rmSync(STATE, { force: true });
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (isAlive(state.pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  if (state.operatorPid && isAlive(state.operatorPid)) process.kill(state.operatorPid, 'SIGKILL');
  const pids = join(STATE_DIR, 'cluster', 'pids');
  if (existsSync(pids)) {
    for (const pid of readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number)) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
  rmSync(STATE, { force: true });
  console.log('stopped the local control plane');
}

const verb = process.argv[2];
if (verb === 'start') await start();
else if (verb === 'serve') await serve();
else if (verb === 'stop') await stopRunning();
else {
  console.error('usage: node test/harness/up.ts start|stop');
  process.exit(2);
}
