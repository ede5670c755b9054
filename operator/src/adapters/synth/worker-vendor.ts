// Inside the synthesis worker: the libraries a request runs with. A deploy repository without
// a package.json gets Keelson's own (the runtime bundle's kit, cdk8s, cdk8s-plus-27,
// constructs). One with its own install gets its vendor bundle (vendor-bundle.ts), evaluated
// once and kept while the worker serves that repository: its kit builds the environments,
// its cdk8s renders them, and its packages answer the repository's imports.
import * as assert from 'node:assert';
import * as buffer from 'node:buffer';
import * as crypto from 'node:crypto';
import * as events from 'node:events';
import { posix } from 'node:path';
import * as querystring from 'node:querystring';
import * as stringDecoder from 'node:string_decoder';
import * as url from 'node:url';
import * as util from 'node:util';
import { compileFunction } from 'node:vm';
import type * as cdk8s from 'cdk8s';
import type * as constructs from 'constructs';
import type * as kit from '@keelson/cdk8s-app';
import { hostChildProcess, hostFs, hostOs, hostProcess } from './worker-host.ts';
import { VENDOR_FILE, type HOST_BUILTINS, type PURE_BUILTINS } from './vendor-names.ts';

/** What one request builds and renders with. */
export interface Libraries {
  /** The kit; undefined for a plain cdk8s app's own install without it. */
  readonly kit: typeof kit | undefined;
  readonly cdk8s: typeof cdk8s;
  /** A module the deploy repository imports, by specifier. */
  module(name: string): unknown;
}

const PURE: Readonly<Record<(typeof PURE_BUILTINS)[number] | 'path', unknown>> = {
  assert,
  buffer,
  crypto,
  events,
  querystring,
  string_decoder: stringDecoder,
  url,
  util,
  path: posix,
};
const HOST: Readonly<Record<(typeof HOST_BUILTINS)[number], unknown>> = {
  fs: hostFs,
  os: hostOs,
  child_process: hostChildProcess,
  process: hostProcess,
};
const LIBRARY_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Evaluates a vendor bundle (its code a function body of __keelsonHost, __keelsonBuiltin,
 * __keelsonLibraryEnv and module). `track` is called with each constructs module, so creation
 * sites are recorded for the repository's own constructs too.
 */
export function loadVendor(
  code: string,
  track: (constructsModule: typeof constructs, cdk8sModule: typeof cdk8s) => void,
): Libraries {
  const fn = compileFunction(code, ['__keelsonHost', '__keelsonBuiltin', '__keelsonLibraryEnv', 'module'], {
    filename: VENDOR_FILE,
  });
  const mod = { exports: {} as Record<string, () => unknown> };
  const host = (name: string): unknown => HOST[name as keyof typeof HOST];
  const builtin = (name: string): unknown => PURE[name as keyof typeof PURE];
  fn(host, builtin, LIBRARY_ENVIRONMENT, mod);
  const loaded = new Map<string, unknown>();
  const load = (name: string): unknown => {
    if (name === 'path' || name === 'node:path') return posix;
    if (!Object.hasOwn(mod.exports, name))
      throw new Error(`"${name}" is not in the deploy repository's installed packages`);
    if (!loaded.has(name)) loaded.set(name, mod.exports[name]!());
    return loaded.get(name);
  };
  for (const name of ['cdk8s', 'constructs']) {
    if (!Object.hasOwn(mod.exports, name)) {
      throw Object.assign(new Error(`the deploy repository's package.json must depend on ${name}`), {
        keelsonReason: 'BuildFailed',
      });
    }
  }
  const cdk8sModule = load('cdk8s') as typeof cdk8s;
  track(load('constructs') as typeof constructs, cdk8sModule);
  const kitModule = Object.hasOwn(mod.exports, '@keelson/cdk8s-app')
    ? (load('@keelson/cdk8s-app') as typeof kit)
    : undefined;
  return { kit: kitModule, cdk8s: cdk8sModule, module: load };
}
