// Writes crds/*.yaml, and the same files into the chart's crds/, from the API schemas in
// operator/src/api. Run with --check to fail (exit 1) when the files on disk differ from
// what the schemas generate.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrds } from './render-crds.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');
const outDirs = [join(root, 'crds'), join(root, 'charts', 'keelson', 'crds')];
for (const dir of outDirs) mkdirSync(dir, { recursive: true });

let stale = 0;
for (const { fileName, yaml } of renderCrds())
  for (const outDir of outDirs) {
    const path = join(outDir, fileName);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* new file */
    }
    if (current === yaml) continue;
    if (check) {
      console.error(`${relative(root, path)} is out of date: run \`make generate\` and commit the result`);
      stale++;
    } else {
      writeFileSync(path, yaml);
      console.log(`wrote ${relative(root, path)}`);
    }
  }
process.exit(stale > 0 ? 1 : 0);
