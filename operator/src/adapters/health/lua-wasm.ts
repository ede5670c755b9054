// The Lua 5.4 interpreter compiled to WebAssembly (the wasmoon package), reached through its C API
// directly: wasmoon's own JavaScript layer converts values generically and costs ~80 µs per object,
// the raw API calls cost ~10 ns each. Each runtime is one WebAssembly instance with its own memory.
import { LuaFactory } from 'wasmoon';
import { createLimitedAllocator, type LimitedAllocator } from './lua-allocator.ts';

type State = number;
type Pointer = number;

/** The part of Lua's C API the health engine uses; `lua_Integer` arguments are BigInts (i64). */
export interface LuaApi {
  lua_newstate(alloc: number, ud: Pointer): State;
  luaL_openlibs(L: State): void;
  luaL_loadbufferx(L: State, buffer: Pointer, size: number, name: Pointer, mode: Pointer): number;
  lua_pcallk(L: State, nargs: number, nresults: number, errfunc: number, ctx: number, k: number): number;
  lua_error(L: State): number;
  lua_settop(L: State, index: number): void;
  lua_checkstack(L: State, n: number): number;
  lua_type(L: State, index: number): number;
  lua_tolstring(L: State, index: number, length: Pointer): Pointer;
  lua_tonumberx(L: State, index: number, isnum: Pointer): number;
  lua_pushnil(L: State): void;
  lua_pushvalue(L: State, index: number): void;
  lua_pushboolean(L: State, b: number): void;
  lua_pushinteger(L: State, n: bigint): void;
  lua_pushnumber(L: State, n: number): void;
  lua_pushlstring(L: State, s: Pointer, length: number): Pointer;
  lua_pushcclosure(L: State, fn: number, n: number): void;
  lua_createtable(L: State, narr: number, nrec: number): void;
  lua_rawset(L: State, index: number): void;
  lua_rawseti(L: State, index: number, n: bigint): void;
  lua_rawgeti(L: State, index: number, n: bigint): number;
  lua_setupvalue(L: State, funcindex: number, n: number): Pointer;
  lua_sethook(L: State, fn: number, mask: number, count: number): void;
  luaL_ref(L: State, table: number): number;
  malloc(size: number): Pointer;
  free(p: Pointer): void;
}

const API_FUNCTIONS = [
  'lua_newstate',
  'luaL_openlibs',
  'luaL_loadbufferx',
  'lua_pcallk',
  'lua_error',
  'lua_settop',
  'lua_checkstack',
  'lua_type',
  'lua_tolstring',
  'lua_tonumberx',
  'lua_pushnil',
  'lua_pushvalue',
  'lua_pushboolean',
  'lua_pushinteger',
  'lua_pushnumber',
  'lua_pushlstring',
  'lua_pushcclosure',
  'lua_createtable',
  'lua_rawset',
  'lua_rawseti',
  'lua_rawgeti',
  'lua_setupvalue',
  'lua_sethook',
  'luaL_ref',
  'malloc',
  'free',
] as const satisfies readonly (keyof LuaApi)[];

/**
 * Emscripten's module object: memory views (replaced when the memory grows) and the function table. Only
 * what it exports may be read: a runtime method it was built without (UTF8ToString, say) aborts the module.
 */
interface EmscriptenModule {
  readonly HEAPU8: Uint8Array;
  readonly HEAPU32: Uint32Array;
  addFunction(fn: unknown, signature: string): number;
  [exported: `_${string}`]: unknown;
}

export interface LuaRuntime {
  readonly api: LuaApi;
  readonly module: EmscriptenModule;
  readonly allocator: LimitedAllocator;
  /** The allocator's index in the function table, for `lua_newstate`. */
  readonly allocIndex: number;
}

export const LUA_REGISTRYINDEX = -1001000;
export const LUA_TNONE = -1;
export const LUA_TNUMBER = 3;
export const LUA_TSTRING = 4;
export const LUA_ERRMEM = 4;
export const LUA_TYPE_NAMES = [
  'nil',
  'boolean',
  'light userdata',
  'number',
  'string',
  'table',
  'function',
  'userdata',
  'thread',
];

interface WebAssemblyNamespace {
  instantiate: (...args: unknown[]) => Promise<unknown>;
}

// Instantiations one at a time: each briefly wraps WebAssembly.instantiate (below).
let queue: Promise<unknown> = Promise.resolve();

/**
 * A fresh Lua module. Emscripten keeps the instance's raw exports to itself and hands out wrappers that
 * assert and `apply` (≈3× the cost of a call), so while wasmoon instantiates the module this wraps
 * WebAssembly.instantiate to see the instance go by. If it does not (another wasmoon build), the
 * wrappers serve, slower but the same.
 */
export function instantiateLua(): Promise<LuaRuntime> {
  const next = queue.then(instantiate);
  queue = next.catch(() => undefined);
  return next;
}

async function instantiate(): Promise<LuaRuntime> {
  const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyNamespace }).WebAssembly;
  const original = wasm.instantiate;
  let raw: Record<string, unknown> | undefined;
  wasm.instantiate = async function (this: unknown, ...args: unknown[]) {
    const result = await original.apply(this, args);
    const exports = (result as { instance?: { exports?: Record<string, unknown> } }).instance?.exports;
    if (exports && typeof exports.lua_newstate === 'function') raw = exports;
    return result;
  };
  let module: EmscriptenModule;
  try {
    module = (await new LuaFactory().getLuaModule()).module as unknown as EmscriptenModule;
  } finally {
    wasm.instantiate = original;
  }
  const fn = (name: string): unknown => (raw ? raw[name] : module[`_${name}`]);
  const api = Object.fromEntries(API_FUNCTIONS.map((name) => [name, fn(name)])) as unknown as LuaApi;
  for (const name of API_FUNCTIONS) {
    if (typeof api[name] !== 'function') throw new Error(`the wasmoon Lua module has no ${name} function`);
  }
  const allocator = createLimitedAllocator(fn('realloc'), fn('free'));
  const allocIndex = module.addFunction(allocator.alloc, 'iiiii');
  return { api, module, allocator, allocIndex };
}
