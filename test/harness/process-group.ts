// Starts child processes, sends their output to log files, and stops every one of them:
// on stop(), and on the exit of this process however it ends (short of SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

export interface StartOptions {
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

interface Member {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly command: string;
  readonly options: StartOptions;
  exited: boolean;
  exitCode: number | null;
  /** Stopped on purpose (stopOne): not a failure until it is restarted. */
  stopped: boolean;
}

const live = new Set<ProcessGroup>();
process.on('exit', () => {
  for (const group of live) group.killNow();
});

export class ProcessGroup {
  readonly #members: Member[] = [];

  start(name: string, command: string, options: StartOptions): ChildProcess {
    const fd = openSync(options.logFile, 'a');
    const child = spawn(command, [...options.args], {
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    closeSync(fd);
    const member: Member = {
      name,
      child,
      logFile: options.logFile,
      command,
      options,
      exited: false,
      exitCode: null,
      stopped: false,
    };
    child.on('exit', (code) => {
      member.exited = true;
      member.exitCode = code;
    });
    this.#members.push(member);
    live.add(this);
    return child;
  }

  /** Throws, with the end of its log, if a process of the group has exited. */
  assertRunning(): void {
    for (const m of this.#members) {
      if (m.exited && !m.stopped) {
        throw new Error(
          `${m.name} exited with code ${m.exitCode}; last lines of ${m.logFile}:\n${tail(m.logFile, 20)}`,
        );
      }
    }
  }

  pids(): number[] {
    return this.#members.flatMap((m) => (m.child.pid === undefined || m.exited ? [] : [m.child.pid]));
  }

  /** SIGTERM in reverse start order, SIGKILL whatever is left after the grace period. */
  async stop(graceMs = 5000): Promise<void> {
    for (const m of [...this.#members].reverse()) {
      if (m.exited) continue;
      m.child.kill('SIGTERM');
      await waitExit(m, graceMs);
      if (!m.exited) {
        m.child.kill('SIGKILL');
        await waitExit(m, 2000);
      }
    }
    live.delete(this);
  }

  /** Stops the process named `name` (SIGTERM, SIGKILL after the grace period); restart() starts it again. */
  async stopOne(name: string, graceMs = 5000): Promise<void> {
    const m = this.#members.find((x) => x.name === name && !x.exited);
    if (!m) throw new Error(`no running process ${name}`);
    m.stopped = true;
    m.child.kill('SIGTERM');
    await waitExit(m, graceMs);
    if (!m.exited) m.child.kill('SIGKILL');
    await waitExit(m, 2000);
  }

  /** Starts a process stopOne() stopped, with the same command and options. */
  restart(name: string): ChildProcess {
    const i = this.#members.findIndex((x) => x.name === name && x.stopped);
    if (i < 0) throw new Error(`no stopped process ${name}`);
    const [m] = this.#members.splice(i, 1);
    return this.start(name, m!.command, m!.options);
  }

  killNow(): void {
    for (const m of this.#members) if (!m.exited) m.child.kill('SIGKILL');
  }
}

function waitExit(m: Member, ms: number): Promise<void> {
  if (m.exited) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    m.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
