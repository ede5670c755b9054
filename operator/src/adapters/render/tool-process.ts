// Runs a rendering tool (helm, kustomize) outside the synthesis sandbox, as the operator's
// own child: an empty environment (no service-account token, no KUBERNETES_* variables, no
// proxy settings, HOME in a scratch folder), a time limit and a resident-memory limit, each
// enforced by SIGKILL, and a cap on what it may print.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { residentBytes } from '../resident-memory.ts';

export interface ToolLimits {
  /** Time the tool may run, in ms. */
  readonly timeoutMs: number;
  /** Resident memory at which it is killed, in MiB. */
  readonly memoryMiB: number;
  /** Bytes of output it may write. */
  readonly maxOutputBytes: number;
}

export interface ToolResult {
  readonly ok: boolean;
  readonly stdout: string;
  /** stderr, or why the tool was killed. */
  readonly stderr: string;
}

/** The absolute path of `program` (a path, or a name looked up on this process's PATH); throws when there is none. */
export function locateTool(program: string): string {
  if (isAbsolute(program)) return program;
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`"${program}" is not on the operator's PATH: rendering needs it`);
}

/** Runs `program args` in `cwd` (also its HOME) and collects its output. Never rejects. */
export function runTool(
  program: string,
  args: readonly string[],
  cwd: string,
  limits: ToolLimits,
): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { HOME: cwd, TMPDIR: cwd, GOMEMLIMIT: `${Math.max(16, Math.floor(limits.memoryMiB * 0.8))}MiB` },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let killedFor: string | undefined;
    const kill = (why: string) => {
      killedFor ??= why;
      child.kill('SIGKILL');
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limits.maxOutputBytes) kill(`it wrote more than ${limits.maxOutputBytes} bytes`);
      else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    const timer = setTimeout(() => kill(`it did not finish within ${limits.timeoutMs} ms`), limits.timeoutMs);
    const poll = setInterval(() => {
      const rss = residentBytes(child.pid);
      if (rss > limits.memoryMiB * 1048576)
        kill(`it used ${Math.round(rss / 1048576)} MiB, over the limit of ${limits.memoryMiB} MiB`);
    }, 50);
    const finish = (ok: boolean, stderr: string) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ ok, stdout: Buffer.concat(out).toString('utf8'), stderr });
    };
    child.on('error', (e) => finish(false, `cannot run ${program}: ${e.message}`));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (killedFor) finish(false, `${program} was killed: ${killedFor}`);
      else finish(code === 0, stderr || (code === 0 ? '' : `${program} exited with code ${code}`));
    });
  });
}
