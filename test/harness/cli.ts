// The keelson CLI run in the test's process, as a user runs it from the repository root: its
// exit code and everything it printed (stdout and stderr together).
import { main as keelson } from '../../operator/src/cli/main.ts';
import { REPO_ROOT } from './kube.ts';

export async function runKeelson(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await keelson(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
    env: process.env,
    cwd: REPO_ROOT,
    isTty: false,
  });
  return { code, out };
}
