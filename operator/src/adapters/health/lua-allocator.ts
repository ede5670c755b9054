// The Lua state's allocator with a byte limit, as a tiny WebAssembly module of its own (hand-assembled below,
// 150 bytes): Lua calls it on every allocation, so it must not cross into JavaScript the way wasmoon's
// tracing allocator does (that costs a few µs per health check). It keeps the live byte count in `used`
// and refuses (returns NULL) any growth past `limit`; Lua then collects garbage, retries once, and raises
// "not enough memory" in the script. JavaScript sets `limit` around each call. The block functions are
// the Lua build's own realloc and free, so blocks allocated before the swap can be freed through it.

/** `lua_Alloc`: `(ud, ptr, osize, nsize) → ptr`, with the live byte count and the limit as globals. */
export interface LimitedAllocator {
  /** The WebAssembly function, to put in the Lua module's function table. */
  readonly alloc: unknown;
  readonly used: { value: number };
  readonly limit: { value: number };
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
}

const I32 = 0x7f;
const F64 = 0x7c;
const FUNC = 0x60;

// Opcodes used by the allocator body.
const OP = {
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  return: 0x0f,
  call: 0x10,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  globalGet: 0x23,
  globalSet: 0x24,
  i32Const: 0x41,
  f64Const: 0x44,
  i32Eqz: 0x45,
  f64Gt: 0x64,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64FromU32: 0xb8,
  void: 0x40,
} as const;

// Function indices: the two imports come first.
const REALLOC = 0;
const FREE = 1;
// Parameters and locals of the allocator: ud, ptr, osize, nsize, then old (f64), result (i32).
const PTR = 1;
const OSIZE = 2;
const NSIZE = 3;
const OLD = 4;
const RESULT = 5;
// Globals.
const USED = 0;
const LIMIT = 1;

const f64Bytes = (v: number): number[] => [...new Uint8Array(new Float64Array([v]).buffer)];

/** `used - old + nsize` on the stack. */
const usedAfter = [OP.globalGet, USED, OP.localGet, OLD, OP.f64Sub, OP.localGet, NSIZE, OP.f64FromU32, OP.f64Add];

const BODY = [
  // old = ptr ? osize : 0 (with ptr NULL, Lua passes the kind of object in osize, not a size)
  OP.localGet,
  PTR,
  OP.if,
  F64,
  OP.localGet,
  OSIZE,
  OP.f64FromU32,
  OP.else,
  OP.f64Const,
  ...f64Bytes(0),
  OP.end,
  OP.localSet,
  OLD,
  // nsize == 0: free the block
  OP.localGet,
  NSIZE,
  OP.i32Eqz,
  OP.if,
  OP.void,
  OP.localGet,
  PTR,
  OP.call,
  FREE,
  OP.globalGet,
  USED,
  OP.localGet,
  OLD,
  OP.f64Sub,
  OP.globalSet,
  USED,
  OP.i32Const,
  0,
  OP.return,
  OP.end,
  // growing past the limit: refuse
  OP.localGet,
  NSIZE,
  OP.f64FromU32,
  OP.localGet,
  OLD,
  OP.f64Gt,
  OP.if,
  OP.void,
  ...usedAfter,
  OP.globalGet,
  LIMIT,
  OP.f64Gt,
  OP.if,
  OP.void,
  OP.i32Const,
  0,
  OP.return,
  OP.end,
  OP.end,
  // realloc, and count the bytes if it succeeded
  OP.localGet,
  PTR,
  OP.localGet,
  NSIZE,
  OP.call,
  REALLOC,
  OP.localTee,
  RESULT,
  OP.if,
  OP.void,
  ...usedAfter,
  OP.globalSet,
  USED,
  OP.end,
  OP.localGet,
  RESULT,
  OP.end,
];

function unsignedLeb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const name = (s: string): number[] => [...unsignedLeb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const section = (id: number, content: number[]): number[] => [id, ...unsignedLeb(content.length), ...content];

function moduleBytes(): Uint8Array {
  const types = vector([
    [FUNC, 4, I32, I32, I32, I32, 1, I32], // 0: lua_Alloc
    [FUNC, 2, I32, I32, 1, I32], // 1: realloc
    [FUNC, 1, I32, 0], // 2: free
  ]);
  const imports = vector([
    [...name('m'), ...name('realloc'), 0x00, 1],
    [...name('m'), ...name('free'), 0x00, 2],
  ]);
  const functions = vector([[0]]);
  const mutableF64 = (v: number): number[] => [F64, 1, OP.f64Const, ...f64Bytes(v), OP.end];
  const globals = vector([mutableF64(0), mutableF64(Infinity)]);
  const exports = vector([
    [...name('alloc'), 0x00, 2],
    [...name('used'), 0x03, USED],
    [...name('limit'), 0x03, LIMIT],
  ]);
  const locals = vector([
    [1, F64],
    [1, I32],
  ]);
  const body = [...locals, ...BODY];
  const code = vector([[...unsignedLeb(body.length), ...body]]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, functions),
    ...section(6, globals),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/** An allocator over the Lua module's `realloc` and `free`; the limit starts at +Infinity. */
export function createLimitedAllocator(realloc: unknown, free: unknown): LimitedAllocator {
  const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  const instance = new wasm.Instance(new wasm.Module(moduleBytes()), { m: { realloc, free } });
  const { alloc, used, limit } = instance.exports as {
    alloc: unknown;
    used: { value: number };
    limit: { value: number };
  };
  return { alloc, used, limit };
}
