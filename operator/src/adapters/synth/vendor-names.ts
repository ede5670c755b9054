// Names the operator's vendor bundler and the worker share.

/** The file name the vendor bundle runs under in the worker. */
export const VENDOR_FILE = 'keelson-vendor.js';

/** Built-ins with no I/O, which any installed package may use; the worker hands over its own. */
export const PURE_BUILTINS = [
  'assert',
  'buffer',
  'crypto',
  'events',
  'querystring',
  'string_decoder',
  'url',
  'util',
] as const;

/** Built-ins the worker's host stands in for: `process` for every package, the others for cdk8s, cdk8s-plus-* and the kit. */
export const HOST_BUILTINS = ['fs', 'os', 'child_process', 'process'] as const;
