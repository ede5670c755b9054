// Builds the web UI into operator/ui/dist: index.html (no inline script or style, for the
// CSP), assets/app-<hash>.js and assets/app-<hash>.css, each with a .gz copy the server can send as is.
// Fails when the gzipped total exceeds the budget.
//
//   node operator/ui/build.ts [--out <dir>]
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type * as esbuild from 'esbuild';

const BUDGET_BYTES = 150 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const outIndex = process.argv.indexOf('--out');
const outDir = resolve(outIndex > 0 && process.argv[outIndex + 1] ? process.argv[outIndex + 1]! : join(here, 'dist'));

// CommonJS require, as the operator loads esbuild (operator/src/adapters/synth/deploy-bundle.ts).
const { build } = createRequire(import.meta.url)('esbuild') as typeof esbuild;

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const result = await build({
  // Paths (and so the content hashes in the file names) are relative to this folder, wherever the
  // tree is: the Dockerfile's build and make image's make the same files.
  absWorkingDir: here,
  entryPoints: { app: join(here, 'src', 'main.tsx') },
  outdir: outDir,
  // Every file whose name carries its content hash goes to assets/: the server caches that folder for a year.
  entryNames: 'assets/[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome111', 'firefox114', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});

const outputs = Object.keys(result.metafile.outputs).map((f) => `assets/${basename(f)}`);
const js = outputs.find((f) => /^assets\/app-.+\.js$/.test(f));
const css = outputs.find((f) => /^assets\/app-.+\.css$/.test(f));
if (!js || !css) throw new Error(`the build made no app-<hash>.js and app-<hash>.css: ${outputs.join(', ')}`);

writeFileSync(
  join(outDir, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Keelson</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/${css}">
<script type="module" src="/ui/${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The Keelson web UI needs JavaScript; the keelson CLI and the REST API work without it.</noscript>
</body>
</html>
`,
);

let total = 0;
const sizes: string[] = [];
for (const file of ['index.html', ...outputs.sort()]) {
  const raw = readFileSync(join(outDir, file));
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(join(outDir, `${file}.gz`), gz);
  total += gz.length;
  sizes.push(`  ${file}: ${raw.length} bytes, ${gz.length} gzipped`);
}
console.log(
  `web UI built into ${outDir}\n${sizes.join('\n')}\n  total gzipped: ${(total / 1024).toFixed(1)} KB (budget ${BUDGET_BYTES / 1024} KB)`,
);
if (total > BUDGET_BYTES) {
  console.error(`the web UI is ${total} bytes gzipped, over its budget of ${BUDGET_BYTES}`);
  process.exit(1);
}
