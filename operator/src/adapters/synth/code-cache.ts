// V8 code cache for the runtime bundle. A worker starts through a small loader that compiles
// the bundle with the cached bytecode of an earlier worker, when there is one, which cuts the
// cost of loading cdk8s-plus by about half. The cache is produced once per runtime bundle, by
// a worker that has synthesized a built-in sample (never deploy-repo code), and kept beside
// the bundle. V8 checks it against the source and its flags and ignores it when they differ.

/** Where the loader leaves the code cache handle for worker-main to take. */
export const CODE_CACHE_HANDLE = 'keelson.dev/code-cache';

/** Written to the scratch directory as loader.cjs; runs runtime.cjs with runtime.v8cache if present. */
export const LOADER_SOURCE = `'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');
const file = join(__dirname, 'runtime.cjs');
let cachedData;
try { cachedData = readFileSync(join(__dirname, 'runtime.v8cache')); } catch { cachedData = undefined; }
const script = new Script('(function (exports, require, module, __filename, __dirname) {' + readFileSync(file, 'utf8') + '\\n})', { filename: file, cachedData });
globalThis[Symbol.for(${JSON.stringify(CODE_CACHE_HANDLE)})] = {
  state: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted',
  create: () => script.createCachedData(),
};
const mod = { exports: {} };
script.runInThisContext()(mod.exports, require, mod, file, __dirname);
`;

export type CodeCacheState = 'none' | 'rejected' | 'accepted';

export interface CodeCacheHandle {
  readonly state: CodeCacheState;
  create(): Uint8Array;
}

/** Takes the handle the loader left on globalThis (and removes it), or undefined when not started by the loader. */
export function takeCodeCacheHandle(): CodeCacheHandle | undefined {
  const key = Symbol.for(CODE_CACHE_HANDLE);
  const handle = (globalThis as Record<symbol, CodeCacheHandle | undefined>)[key];
  Reflect.deleteProperty(globalThis, key);
  return handle;
}
