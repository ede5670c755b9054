// `make bench`: runs every test/bench/*.bench.ts (or those named on the command line) one
// after another against the control plane of with-cluster.ts, and prints each report.
// A benchmark prints its figures and ratios against the reference it names, measured in
// the same run, and writes them as JSON to .keelson/bench/<name>.json.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const res = spawnSync(process.execPath, ['--expose-gc', join(dir, file)], { stdio: 'inherit' });
  if (res.status !== 0) {
    failed++;
    console.log(`!!! ${file} exited with ${res.status}`);
  }
}
console.log(`\n${files.length - failed} benchmarks completed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
