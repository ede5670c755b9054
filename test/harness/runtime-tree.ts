// The operator's runtime tree (operator/scripts/assemble-runtime.sh): what the image holds
// under /app. Tests run the operator and the CLI from it, with the project's Node 24.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './kube.ts';

const run = promisify(execFile);

export interface RuntimeTree {
  readonly dir: string;
  /** The `keelson` entry point inside the tree. */
  readonly bin: string;
}

let assembled: Promise<RuntimeTree> | undefined;

/** Assembles the tree once per test process into a temporary directory. */
export function runtimeTree(): Promise<RuntimeTree> {
  assembled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-runtime-'));
    await run(join(REPO_ROOT, 'operator', 'scripts', 'assemble-runtime.sh'), [dir], {
      env: process.env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { dir, bin: join(dir, 'operator', 'bin', 'keelson.js') };
  })();
  return assembled;
}
