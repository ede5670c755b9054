// `make up` / `make down`: a local control plane that stays up between commands.
//   node test/harness/up.ts start   start it in the background (or report the running one)
//   node test/harness/up.ts stop    stop it
//   node test/harness/up.ts serve   (internal) the supervisor process that owns it
// State lives in .keelson/ at the repository root: kubeconfig, logs, supervisor pid.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlPlane } from './control-plane.ts';
import { installCrds, loadKubeConfig, REPO_ROOT } from './kube.ts';
import { tail } from './process-group.ts';

const STATE_DIR = join(REPO_ROOT, '.keelson');
const STATE = join(STATE_DIR, 'state.json');
const LOG = join(STATE_DIR, 'up.log');

interface State {
  readonly pid: number;
  readonly kubeconfig: string;
  readonly server: string;
  readonly startedInMs: number;
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
  const kubeconfig = relative(process.cwd(), state.kubeconfig) || state.kubeconfig;
  console.log(`
Keelson's local control plane is up (${state.server}, ready in ${(state.startedInMs / 1000).toFixed(1)} s).
The keelson.dev CRDs are installed.

  export KUBECONFIG=${kubeconfig.startsWith('/') ? kubeconfig : `$PWD/${kubeconfig}`}

Try:
  kubectl get nodes                        # kwok nodes: pods on them become Ready, Jobs complete
  kubectl explain environment.spec         # the Environment API
  kubectl apply -f docs/examples/environments.yaml && kubectl get environments

Logs: ${relative(process.cwd(), join(STATE_DIR, 'cluster', 'logs'))}/    Stop: make down
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
  console.log('starting the local control plane (the first run builds the binaries from Go modules)...');
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
  await installCrds(loadKubeConfig(cp.kubeconfig));
  const kubeconfig = join(STATE_DIR, 'kubeconfig');
  writeFileSync(kubeconfig, readFileSync(cp.kubeconfig), { mode: 0o600 });
  const state: State = { pid: process.pid, kubeconfig, server: cp.server, startedInMs: Date.now() - started };
  writeFileSync(STATE, JSON.stringify(state, null, 2));
  console.log(`ready: ${JSON.stringify(state)}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cp.stop();
    rmSync(STATE, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
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
