// JSON-shaped JavaScript values onto the Lua stack and strings back, through the raw C API. Objects become
// tables with string keys, arrays tables with keys 1..n (Lua's 1-based convention, what ipairs and # see),
// null and absent fields nil (so `obj.status == nil` tests presence, as in Argo CD), integral numbers Lua
// integers (so `"replicas: " .. 3` reads "replicas: 3", not "3.0"), other numbers floats.
//
// Each string is written into one scratch buffer and copied by lua_pushlstring; object keys, which repeat
// from object to object, come from a table of the keys seen before (one table read). Measured on a 1.4 KB
// Certificate, script included: this direct walk ~7 µs; wasmoon's generic conversion ~80 µs; compiling
// the object as a Lua table constructor ~40 µs; a JSON string decoded by a Lua JSON parser ~80 µs.
import { LUA_REGISTRYINDEX, LUA_TNUMBER, LUA_TSTRING, type LuaApi, type LuaRuntime } from './lua-wasm.ts';

/** Deeper than this, an object is refused (and JavaScript's own stack is never at risk). */
export const MAX_OBJECT_DEPTH = 200;
const SCRATCH_BYTES = 64 * 1024;
/** BigInts of the small integers, for lua_Integer arguments: array indices, counts, most numbers in objects. */
const SMALL = Array.from({ length: 1024 }, (_, i) => BigInt(i));
const integer = (n: number): bigint => (n >= 0 && n < SMALL.length ? SMALL[n]! : BigInt(n));
/** Keys kept as Lua strings, in a table that is the object-pushing C function's upvalue. */
const MAX_CACHED_KEYS = 4096;
const MAX_CACHED_KEY_LENGTH = 40;
const KEYS = LUA_REGISTRYINDEX - 1;

export class LuaValues {
  readonly #api: LuaApi;
  readonly #runtime: LuaRuntime;
  readonly #L: number;
  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder();
  readonly #scratch: number;
  /** Where lua_tolstring writes a string's length. */
  readonly #lengthSlot: number;
  /** Key → its slot in the key table. */
  readonly #keys = new Map<string, bigint>();

  constructor(runtime: LuaRuntime, L: number) {
    this.#api = runtime.api;
    this.#runtime = runtime;
    this.#L = L;
    this.#scratch = this.#malloc(SCRATCH_BYTES);
    this.#lengthSlot = this.#malloc(8);
  }

  /** A NUL-terminated copy of `text` in the module's memory, kept for the engine's life (names, modes). */
  cString(text: string): number {
    const bytes = this.#encoder.encode(`${text}\0`);
    const p = this.#malloc(bytes.length);
    this.#runtime.module.HEAPU8.set(bytes, p);
    return p;
  }

  /**
   * Calls `use` with `text` as UTF-8 in the module's memory: in the scratch buffer, or for a text too long
   * for it, in a buffer of its own freed afterwards (also when `use` raises a Lua error: a longjmp is a
   * JavaScript exception on its way through, so `finally` runs).
   */
  withBytes<T>(text: string, use: (p: number, length: number) => T): T {
    const n = text.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (n * 3 <= SCRATCH_BYTES) return use(this.#scratch, this.#write(text, this.#scratch, SCRATCH_BYTES));
    const bytes = this.#encoder.encode(text);
    const p = this.#malloc(bytes.length);
    try {
      this.#runtime.module.HEAPU8.set(bytes, p);
      return use(p, bytes.length);
    } finally {
      this.#api.free(p);
    }
  }

  #write(text: string, base: number, capacity: number): number {
    const heap = this.#runtime.module.HEAPU8;
    const n = text.length;
    let i = 0;
    // ASCII, the common case, byte by byte: faster than encodeInto for the short strings of an object
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      heap[base + i] = c;
    }
    if (i === n) return n;
    return i + this.#encoder.encodeInto(text.slice(i), heap.subarray(base + i, base + capacity)).written;
  }

  pushString(text: string): void {
    const api = this.#api;
    const L = this.#L;
    const scratch = this.#scratch;
    if (text.length * 3 <= SCRATCH_BYTES) api.lua_pushlstring(L, scratch, this.#write(text, scratch, SCRATCH_BYTES));
    else this.withBytes(text, (p, length) => api.lua_pushlstring(L, p, length));
  }

  /**
   * Pushes one value; raises a Lua error (a longjmp) for an object nested too deeply. Only from inside the
   * object-pushing C function: the key table is its upvalue.
   */
  pushValue(value: unknown, depth: number): void {
    const api = this.#api;
    const L = this.#L;
    switch (typeof value) {
      case 'string':
        this.pushString(value);
        return;
      case 'number':
        if (Number.isSafeInteger(value)) api.lua_pushinteger(L, integer(value));
        else api.lua_pushnumber(L, value);
        return;
      case 'boolean':
        api.lua_pushboolean(L, value ? 1 : 0);
        return;
      case 'object':
        if (value === null) break;
        if (depth >= MAX_OBJECT_DEPTH) this.raise(`the object nests deeper than ${MAX_OBJECT_DEPTH} levels`);
        // room for the table, a key and a value
        if (!api.lua_checkstack(L, 3)) this.raise('the Lua stack is full');
        if (Array.isArray(value)) this.#pushArray(value, depth + 1);
        else this.#pushRecord(value as Record<string, unknown>, depth + 1);
        return;
    }
    api.lua_pushnil(L);
  }

  #pushArray(items: readonly unknown[], depth: number): void {
    const api = this.#api;
    const L = this.#L;
    api.lua_createtable(L, items.length, 0);
    for (let i = 0; i < items.length; i++) {
      this.pushValue(items[i], depth);
      api.lua_rawseti(L, -2, integer(i + 1));
    }
  }

  #pushRecord(record: Record<string, unknown>, depth: number): void {
    const api = this.#api;
    const L = this.#L;
    let fields = 0;
    for (const key in record) if (record[key] != null) fields++;
    api.lua_createtable(L, 0, fields);
    for (const key in record) {
      const v = record[key];
      if (v == null) continue;
      this.#pushKey(key);
      this.pushValue(v, depth);
      api.lua_rawset(L, -3);
    }
  }

  /**
   * A key from the key table when it was seen before: object keys repeat from object to object, and one
   * table read costs less than copying the bytes and having Lua hash them to find the interned string.
   */
  #pushKey(key: string): void {
    const api = this.#api;
    const L = this.#L;
    const slot = this.#keys.get(key);
    if (slot !== undefined) {
      api.lua_rawgeti(L, KEYS, slot);
      return;
    }
    this.pushString(key);
    if (this.#keys.size < MAX_CACHED_KEYS && key.length <= MAX_CACHED_KEY_LENGTH) {
      const next = integer(this.#keys.size + 1);
      api.lua_pushvalue(L, -1);
      api.lua_rawseti(L, KEYS, next);
      this.#keys.set(key, next);
    }
  }

  /** Raises `message` as a Lua error from inside a C function: does not return. */
  raise(message: string): never {
    this.pushString(message);
    this.#api.lua_error(this.#L);
    throw new Error('lua_error returned');
  }

  /** The string or number at `index` as text, or undefined for any other type (no metamethods run). */
  readString(index: number): string | undefined {
    const api = this.#api;
    const type = api.lua_type(this.#L, index);
    if (type !== LUA_TSTRING && type !== LUA_TNUMBER) return undefined;
    const p = api.lua_tolstring(this.#L, index, this.#lengthSlot);
    const module = this.#runtime.module;
    const length = module.HEAPU32[this.#lengthSlot >>> 2]!;
    return this.#decoder.decode(module.HEAPU8.subarray(p, p + length));
  }

  #malloc(bytes: number): number {
    const p = this.#api.malloc(bytes);
    if (!p) throw new Error(`the Lua module could not allocate ${bytes} bytes`);
    return p;
  }
}
