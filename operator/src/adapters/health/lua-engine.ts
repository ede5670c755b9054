// One Lua state that compiles health scripts once and runs them synchronously, each call inside the
// sandbox of lua-sandbox.ts and under two limits: VM instructions (a count hook) and heap growth (the
// allocator of lua-allocator.ts). Whatever a script does — raise, loop, allocate, return garbage — the
// call ends with an assessment and the state is ready for the next one: everything runs in lua_pcall,
// and the object is pushed from inside it too, so even running out of memory while converting it is a
// Lua error rather than a panic.
import type { HealthAssessment, HealthStatus } from '../../core/health/index.ts';
import { HEALTH_STATUSES } from '../../core/health/index.ts';
import type { KubeObject } from '../../core/manifest.ts';
import { LuaValues } from './lua-values.ts';
import { SANDBOX_SOURCE } from './lua-sandbox.ts';
import {
  instantiateLua,
  LUA_ERRMEM,
  LUA_REGISTRYINDEX,
  LUA_TNONE,
  LUA_TYPE_NAMES,
  type LuaApi,
  type LuaRuntime,
} from './lua-wasm.ts';

export interface LuaLimits {
  /** Lua VM instructions one call may run; default 100,000 (≈1-6 ms; a typical script runs a few hundred). */
  readonly instructions?: number;
  /** Bytes the Lua heap may grow by during one call, the object's tables included; default 16 MiB. */
  readonly memoryBytes?: number;
}

export const DEFAULT_LUA_LIMITS: Required<LuaLimits> = { instructions: 100_000, memoryBytes: 16 * 1024 * 1024 };

/** Longer messages from a script are cut here: they end up in the status of Keelson's resources. */
const MAX_MESSAGE_LENGTH = 1024;

/** A script that does not compile; the message names its origin and gives Lua's reason. */
export class LuaCompileError extends Error {
  override readonly name = 'LuaCompileError';
  readonly origin: string;

  constructor(origin: string, message: string) {
    super(message);
    this.origin = origin;
  }
}

/**
 * `origin` and Lua's message as one: scripts are compiled with the chunk name "=", so Lua's own positions
 * read ":12: attempt to index…" and join as "health.lua:12: attempt to index…"; messages without a
 * position (the limits, the checks on the result) join with ": ".
 */
export function withOrigin(origin: string, message: string): string {
  return message.startsWith(':') ? `${origin}${message}` : `${origin}: ${message}`;
}

export class LuaEngine {
  readonly #runtime: LuaRuntime;
  readonly #api: LuaApi;
  readonly #L: number;
  readonly #values: LuaValues;
  readonly #limits: Required<LuaLimits>;
  readonly #runner: bigint;
  readonly #chunkName: number;
  readonly #textMode: number;
  /** The object the running call converts when the sandbox asks for it. */
  #current: unknown;
  /** Set once the WebAssembly side itself failed (a trap): the state cannot be trusted any more. */
  #broken: string | undefined;

  private constructor(runtime: LuaRuntime, limits: Required<LuaLimits>) {
    this.#runtime = runtime;
    this.#api = runtime.api;
    this.#limits = limits;
    const L = this.#api.lua_newstate(runtime.allocIndex, 0);
    if (!L) throw new Error('could not create a Lua state');
    this.#L = L;
    this.#values = new LuaValues(runtime, L);
    this.#api.luaL_openlibs(L);
    this.#chunkName = this.#values.cString('=');
    this.#textMode = this.#values.cString('t');
    this.#runner = this.#setUp();
  }

  static async create(limits: LuaLimits = {}): Promise<LuaEngine> {
    const resolved = { ...DEFAULT_LUA_LIMITS, ...limits };
    for (const [name, value] of Object.entries(resolved)) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new Error(`the Lua ${name} limit must be a positive integer, got ${value}`);
      }
    }
    return new LuaEngine(await instantiateLua(), resolved);
  }

  /** Runs the sandbox chunk; keeps the runner it returns in the registry. */
  #setUp(): bigint {
    const api = this.#api;
    const L = this.#L;
    const name = this.#values.cString('=keelson-sandbox');
    const loaded = this.#values.withBytes(SANDBOX_SOURCE, (p, n) =>
      api.luaL_loadbufferx(L, p, n, name, this.#textMode),
    );
    if (loaded !== 0) throw new Error(`the Lua sandbox does not compile: ${this.#values.readString(-1)}`);
    const pushObject = this.#runtime.module.addFunction(() => this.#pushCurrent(), 'ii');
    // its upvalue: the table of the keys LuaValues keeps
    api.lua_createtable(L, 256, 0);
    api.lua_pushcclosure(L, pushObject, 1);
    api.lua_pushinteger(L, BigInt(this.#limits.instructions));
    for (const status of HEALTH_STATUSES) this.#values.pushString(status);
    if (api.lua_pcallk(L, 2 + HEALTH_STATUSES.length, 1, 0, 0, 0) !== 0) {
      throw new Error(`the Lua sandbox failed to set up: ${this.#values.readString(-1)}`);
    }
    return BigInt(api.luaL_ref(L, LUA_REGISTRYINDEX));
  }

  /** The sandbox's `getobj`: a C function, so it returns the number of values it pushed. */
  #pushCurrent(): number {
    try {
      this.#values.pushValue(this.#current, 0);
    } catch (err) {
      // Emscripten's longjmp (a Lua error, e.g. out of memory) is a thrown number: let it through
      if (typeof err === 'number') throw err;
      this.#values.raise(`the object could not be converted: ${err instanceof Error ? err.message : String(err)}`);
    }
    return 1;
  }

  /** Compiles `source` (text only: precompiled bytecode is refused) into a handle for `evaluate`. */
  compile(source: string, origin: string): bigint {
    const api = this.#api;
    const L = this.#L;
    const status = this.#values.withBytes(source, (p, n) =>
      api.luaL_loadbufferx(L, p, n, this.#chunkName, this.#textMode),
    );
    if (status !== 0) {
      const message = this.#values.readString(-1) ?? 'unknown error';
      api.lua_settop(L, 0);
      throw new LuaCompileError(origin, `${withOrigin(origin, message)} (the health script does not compile)`);
    }
    // until a call gives it its own, the script's globals are an empty table, never the real ones
    api.lua_createtable(L, 0, 0);
    api.lua_setupvalue(L, -2, 1);
    return BigInt(api.luaL_ref(L, LUA_REGISTRYINDEX));
  }

  /** Runs a compiled script on `obj`. Never throws: every failure is an Unknown naming `origin`. */
  evaluate(script: bigint, origin: string, obj: KubeObject): HealthAssessment {
    if (this.#broken) {
      return unknown(origin, `the Lua engine failed earlier and no longer runs scripts (${this.#broken})`);
    }
    const api = this.#api;
    const L = this.#L;
    const { allocator } = this.#runtime;
    try {
      this.#current = obj;
      allocator.limit.value = allocator.used.value + this.#limits.memoryBytes;
      api.lua_rawgeti(L, LUA_REGISTRYINDEX, this.#runner);
      api.lua_rawgeti(L, LUA_REGISTRYINDEX, script);
      const status = api.lua_pcallk(L, 1, 2, 0, 0, 0);
      // the hook stays set after an error; outside calls nothing is limited
      api.lua_sethook(L, 0, 0, 0);
      allocator.limit.value = Infinity;
      this.#current = undefined;
      if (status === LUA_ERRMEM) {
        return unknown(origin, `the script exceeded its memory limit of ${this.#limits.memoryBytes} bytes`);
      }
      if (status !== 0) return unknown(origin, this.#errorText());
      const healthStatus = HEALTH_STATUSES[api.lua_tonumberx(L, -2, 0) - 1];
      if (!healthStatus) return unknown(origin, 'the sandbox returned no health status');
      return assessment(healthStatus, this.#values.readString(-1));
    } catch (err) {
      // only the WebAssembly side throws here (a trap, an abort): Lua's own errors end in lua_pcall
      this.#broken = err instanceof Error ? err.message : String(err);
      return unknown(origin, `the Lua engine failed: ${this.#broken}`);
    } finally {
      if (!this.#broken) api.lua_settop(L, 0);
    }
  }

  /** The error value on top of the stack as text, without running any of its metamethods. */
  #errorText(): string {
    const text = this.#values.readString(-1);
    if (text !== undefined) return text;
    const type = this.#api.lua_type(this.#L, -1);
    if (type === LUA_TNONE) return 'unknown error';
    return `the script raised a ${LUA_TYPE_NAMES[type] ?? 'non-string'} value as its error`;
  }

  /** Bytes the Lua heap holds now (live objects and garbage not yet collected). */
  get memoryUsed(): number {
    return this.#runtime.allocator.used.value;
  }
}

function unknown(origin: string, message: string): HealthAssessment {
  return { status: 'Unknown', message: truncate(withOrigin(origin, message)) };
}

function assessment(status: HealthStatus, message: string | undefined): HealthAssessment {
  return message ? { status, message: truncate(message) } : { status };
}

function truncate(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message;
}
