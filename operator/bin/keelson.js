#!/usr/bin/env node
// The `keelson` command. The TypeScript source runs on Node 24's type stripping; npx and
// npm scripts put the project's Node 24 (the `node` devDependency) first on the PATH.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`keelson needs Node.js 24 or newer (this is ${process.version}); run it with npx from the repository, or put Node 24 on the PATH\n`);
  process.exit(1);
}
// Node caches the compiled (and type-stripped) modules on disk: a cold `keelson` starts faster.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { runCli } = await import('../src/cli/main.ts');
await runCli();
