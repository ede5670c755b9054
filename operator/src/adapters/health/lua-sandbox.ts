// The trusted Lua chunk that sets up the sandbox and returns the function that runs one health script on
// one object. It runs once per engine with the full standard library; scripts never see its globals.
//
// A script gets a fresh global table per call (so nothing one call sets is seen by the next) whose misses
// fall back to `SAFE`: the base functions minus load/dofile/loadfile/collectgarbage, a `require` that
// only hands out the libraries below, and read-only views of string, table, math, utf8 and os (time,
// date, clock, difftime: Argo CD's safe os has time and date). No io, debug, package or coroutine.
// The library tables themselves cannot be changed: the views reject writes, rawset refuses them, and the
// string metatable is hidden, so `("").rep = nil` cannot reach the real string table either.
// setmetatable refuses a metatable with __gc: a finalizer would run later, outside any limit.
//
// The instruction limit is a count hook set for each call; when it fires it re-arms itself to fire on
// every instruction, so a script cannot `pcall` its way past the limit (each pcall level swallows one
// error at most, and the instruction after it raises the next). The memory limit is the allocator's.
//
// Arguments: the function that pushes the current object, the instruction limit, then the health
// statuses in order (the runner returns a status as its 1-based index in that list, and the message).
export const SANDBOX_SOURCE = String.raw`
local getobj, instruction_limit = ...
local statuses = table.pack(select(3, ...))
local sethook, setupvalue = debug.sethook, debug.setupvalue
local error, type, tostring, select = error, type, tostring, select
local setmetatable, getmetatable, rawget, rawset = setmetatable, getmetatable, rawget, rawset
local format, rep = string.format, string.rep

local codes = {}
for i = 1, statuses.n do codes[statuses[i]] = i end

-- string.rep of an empty string loops n times in C without allocating, outside both limits
string.rep = function(s, n, sep)
  if type(s) == 'string' and s == '' and (sep == nil or sep == '') then return '' end
  return rep(s, n, sep)
end
-- table.move loops in C over any range, allocating nothing for nils: here it runs as Lua, counted
table.move = function(a1, f, e, t, a2)
  if a2 == nil then a2 = a1 end
  if e >= f then
    if t > e or t <= f or a1 ~= a2 then
      for i = 0, e - f do a2[t + i] = a1[f + i] end
    else
      for i = e - f, 0, -1 do a2[t + i] = a1[f + i] end
    end
  end
  return a2
end

local protected = setmetatable({}, { __mode = 'k' })

local function readonly(name, source, names, extra)
  local view = {}
  for n in names:gmatch('%S+') do view[n] = source[n] end
  for n, f in pairs(extra or {}) do view[n] = f end
  local proxy = setmetatable({}, {
    __index = view,
    __newindex = function(_, key)
      error(format('%s.%s is read-only in a health script', name, tostring(key)), 2)
    end,
    __metatable = false,
  })
  protected[proxy] = true
  return proxy
end

local modules = {
  string = readonly('string', string,
    'byte char find format gmatch gsub len lower match pack packsize rep reverse sub unpack upper'),
  -- getn and unpack: Lua 5.1 names (Argo CD runs gopher-lua, a Lua 5.1)
  table = readonly('table', table, 'concat insert move pack remove sort unpack',
    { getn = function(t) return #t end }),
  math = readonly('math', math, 'abs acos asin atan ceil cos deg exp floor fmod huge log max maxinteger min '
    .. 'mininteger modf pi rad random sin sqrt tan tointeger type ult',
    { pow = function(x, y) return x ^ y end }),
  utf8 = readonly('utf8', utf8, 'char charpattern codepoint codes len offset'),
  os = readonly('os', os, 'clock date difftime time'),
}

local SAFE = {
  assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
  rawequal = rawequal, rawget = rawget, rawlen = rawlen, select = select, tonumber = tonumber,
  tostring = tostring, type = type, getmetatable = getmetatable, unpack = table.unpack, _VERSION = _VERSION,
  print = function() end,
  string = modules.string, table = modules.table, math = modules.math, utf8 = modules.utf8, os = modules.os,
}
-- the real xpcall runs its handler before unwinding, and when the error is the count hook's, inside the hook,
-- where hooks are off: a looping handler would never be stopped. Here it runs after the pcall returns.
local pack, unpack = table.pack, table.unpack
SAFE.xpcall = function(f, handler, ...)
  local results = pack(pcall(f, ...))
  if results[1] then return unpack(results, 1, results.n) end
  return false, (handler(results[2]))
end
SAFE.rawset = function(t, k, v)
  if protected[t] then error('library tables are read-only in a health script', 2) end
  return rawset(t, k, v)
end
SAFE.setmetatable = function(t, mt)
  if type(mt) == 'table' and rawget(mt, '__gc') ~= nil then
    error('__gc metamethods are not allowed in a health script', 2)
  end
  return setmetatable(t, mt)
end
SAFE.require = function(name)
  local m = type(name) == 'string' and modules[name] or nil
  if m == nil then error(format('module %s is not available to a health script', tostring(name)), 2) end
  return m
end
protected[SAFE] = true
getmetatable('').__metatable = false

local env_mt = { __index = SAFE, __metatable = false }
local limit_message = format('the script exceeded its limit of %d instructions', instruction_limit)
local function on_count()
  sethook(on_count, '', 1)
  error(limit_message, 0)
end

local function describe(v)
  if type(v) == 'string' then return format('%q', v) end
  if v == nil then return 'nil' end
  return 'a ' .. type(v)
end

return function(script)
  local env = setmetatable({ obj = getobj() }, env_mt)
  env._G = env
  setupvalue(script, 1, env)
  sethook(on_count, '', instruction_limit)
  local hs = script()
  if type(hs) ~= 'table' then
    error(format('the script returned %s, not a table like { status = "Healthy", message = "..." }', describe(hs)), 0)
  end
  local status, message = hs.status, hs.message
  local code = codes[status]
  if code == nil then error(format('the script returned status %s, not a health status', describe(status)), 0) end
  local kind = type(message)
  if kind == 'number' then
    message = tostring(message)
  elseif kind ~= 'string' and kind ~= 'nil' then
    error(format('the script returned %s as the message, not a string', describe(message)), 0)
  end
  return code, message
end
`;
