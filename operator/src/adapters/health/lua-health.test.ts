// Lua health rules in the real interpreter (wasmoon's Lua 5.4 in WebAssembly): an Argo CD-style script on
// real-looking objects, and every way a script can go wrong ending in Unknown with the engine still usable.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../../core/manifest.ts';
import { LuaCompileError, LuaHealthRules, type LuaHealthScript, type LuaLimits } from './lua-health.ts';

/** cert-manager's Certificate in Argo CD's style: Issuing first, then Ready. */
const CERTIFICATE_LUA = readFileSync(
  new URL('./testdata/cert-manager.io/Certificate/health.lua', import.meta.url),
  'utf8',
);

const ISSUING = 'Issuing certificate as Secret does not exist';

function certificate(conditions: Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'shop-tls', namespace: 'shop', generation: 2 },
    spec: { secretName: 'shop-tls', dnsNames: ['shop.example.com'], issuerRef: { kind: 'ClusterIssuer', name: 'le' } },
    status: { conditions },
  };
}

const configMap = (data: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'shop' },
  data,
});

/** Rules with one script for ConfigMaps, named `origin`; the rule for it. */
async function ruleOf(source: string, limits?: LuaLimits, origin = 'test.lua') {
  const rules = await LuaHealthRules.load([{ key: '/ConfigMap', source, origin }], limits);
  const rule = rules.ruleFor('', 'ConfigMap');
  assert.ok(rule);
  return rule;
}

describe('LuaHealthRules: an Argo CD script', () => {
  it('judges Certificates Healthy, Progressing and Degraded', async () => {
    const rules = await LuaHealthRules.load([
      { key: 'cert-manager.io/Certificate', source: CERTIFICATE_LUA, origin: 'cert.lua' },
    ]);
    const rule = rules.ruleFor('cert-manager.io', 'Certificate');
    assert.ok(rule);
    assert.deepEqual(
      rule(
        certificate([
          { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' },
        ]),
      ),
      { status: 'Healthy', message: 'Certificate is up to date and has not expired' },
    );
    assert.deepEqual(
      rule(
        certificate([
          { type: 'Ready', status: 'False', reason: 'DoesNotExist', message: ISSUING },
          { type: 'Issuing', status: 'True', reason: 'DoesNotExist', message: ISSUING },
        ]),
      ),
      { status: 'Progressing', message: ISSUING },
    );
    assert.deepEqual(
      rule(
        certificate([{ type: 'Ready', status: 'False', reason: 'Failed', message: 'the issuer rejected the request' }]),
      ),
      { status: 'Degraded', message: 'the issuer rejected the request' },
    );
    const noStatus: KubeObject = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'new' } };
    assert.deepEqual(rule(noStatus), { status: 'Progressing', message: 'Waiting for certificate' });
  });

  it('sees the object as Argo CD gives it: 1-based arrays, integers, booleans, nil for null and absent', async () => {
    const rule = await ruleOf(`
      local d = obj.data
      local parts = {
        #d.list, d.list[1], d.list[3], tostring(d.list[0]), tostring(d.none), tostring(d.absent),
        "replicas " .. d.replicas, math.type(d.replicas), math.type(d.ratio), tostring(d.flag), d.nested.deep[2].name,
        d.text,
      }
      local n = 0
      for _, v in ipairs(d.list) do n = n + 1 end
      parts[#parts + 1] = tostring(n)
      return { status = "Healthy", message = table.concat(parts, "|") }
    `);
    const obj = configMap({
      list: ['a', 'b', 'c'],
      none: null,
      replicas: 3,
      ratio: 0.5,
      flag: true,
      nested: { deep: [{ name: 'x' }, { name: 'y' }] },
      text: 'héllo ✓ 🚀',
    });
    assert.deepEqual(rule(obj), {
      status: 'Healthy',
      message: '3|a|c|nil|nil|nil|replicas 3|integer|float|true|y|héllo ✓ 🚀|3',
    });
  });

  it('has what Argo CD scripts use: string, table, math, os.time/os.date, require("os"), 5.1 names', async () => {
    const rule = await ruleOf(`
      local os = require("os")
      local s = string.format("%s-%d", ("Ready"):lower(), 2)
      local t = {} table.insert(t, "a") table.insert(t, "b")
      local found = string.find("ProgressDeadlineExceeded", "Deadline", 1, true) ~= nil
      return { status = "Healthy", message = table.concat({ s, table.concat(t, ","), tostring(found),
        tostring(os.time() > 1700000000), os.date("!%Y", 0), tostring(unpack({ 7 })), tostring(table.getn(t)),
        tostring(math.max(1, 4)) }, " ") }
    `);
    assert.deepEqual(rule(configMap()), { status: 'Healthy', message: 'ready-2 a,b true true 1970 7 2 4' });
  });
});

describe('LuaHealthRules: a script that fails is Unknown, and the next call works', () => {
  const ok = 'return { status = "Healthy", message = "fine" }';

  it('a runtime error names the origin and the line', async () => {
    const rule = await ruleOf('local hs = {}\nhs.status = obj.status.phase\nreturn hs', undefined, 'charts/health.lua');
    assert.deepEqual(rule(configMap()), {
      status: 'Unknown',
      message: "charts/health.lua:2: attempt to index a nil value (field 'status')",
    });
    const thrown = await ruleOf('error({ code = 1 })');
    assert.deepEqual(thrown(configMap()), {
      status: 'Unknown',
      message: 'test.lua: the script raised a table value as its error',
    });
  });

  it('an infinite loop stops at the instruction limit, pcall or xpcall around it or not', async () => {
    for (const loop of [
      'while true do end',
      'while true do pcall(function() while true do end end) end',
      'xpcall(function() while true do end end, function() while true do end end) return { status = "Healthy" }',
      'local function f() return f() end return f()',
    ]) {
      const rules = await LuaHealthRules.load(
        [
          { key: '/ConfigMap', source: loop, origin: 'loop.lua' },
          { key: '/Secret', source: ok, origin: 'ok.lua' },
        ],
        { instructions: 50_000 },
      );
      const started = performance.now();
      assert.deepEqual(
        rules.ruleFor('', 'ConfigMap')!(configMap()),
        {
          status: 'Unknown',
          message: 'loop.lua: the script exceeded its limit of 50000 instructions',
        },
        loop,
      );
      assert.ok(performance.now() - started < 1000, `${loop} stopped in ${performance.now() - started} ms`);
      assert.deepEqual(rules.ruleFor('', 'Secret')!(configMap()), { status: 'Healthy', message: 'fine' });
      assert.equal(rules.ruleFor('', 'ConfigMap')!(configMap()).status, 'Unknown', 'and again');
    }
  });

  it('a huge string or a table growing forever stops at the memory limit', async () => {
    const limits = { memoryBytes: 4 * 1024 * 1024, instructions: 10_000_000 };
    for (const hog of [
      "local s = string.rep('x', 1e9) return { status = 'Healthy' }",
      "local s = ('x'):rep(1e6) return { status = 'Healthy', message = s:rep(1000) }",
      'local t = {} local i = 0 while true do i = i + 1 t[i] = { i } end',
      "local t = {} while true do t[#t + 1] = ('x'):rep(1000) .. #t end",
    ]) {
      const rules = await LuaHealthRules.load(
        [
          { key: '/ConfigMap', source: hog, origin: 'hog.lua' },
          { key: '/Secret', source: ok, origin: 'ok.lua' },
        ],
        limits,
      );
      assert.deepEqual(
        rules.ruleFor('', 'ConfigMap')!(configMap()),
        {
          status: 'Unknown',
          message: 'hog.lua: the script exceeded its memory limit of 4194304 bytes',
        },
        hog,
      );
      assert.deepEqual(rules.ruleFor('', 'Secret')!(configMap()), { status: 'Healthy', message: 'fine' });
      assert.ok(rules.memoryUsed < 2 * limits.memoryBytes, `the heap holds ${rules.memoryUsed} bytes`);
    }
  });

  it('C loops that allocate nothing are guarded too: rep of an empty string, table.move', async () => {
    const rep = await ruleOf("local s = string.rep('', 1e15) return { status = 'Healthy', message = '[' .. s .. ']' }");
    assert.deepEqual(rep(configMap()), { status: 'Healthy', message: '[]' });
    const move = await ruleOf('table.move({}, 1, 1e15, 1, {})', { instructions: 50_000 });
    assert.equal(move(configMap()).message, 'test.lua: the script exceeded its limit of 50000 instructions');
  });

  it('io, os.execute, require of anything but a library, load, dofile, debug are not there', async () => {
    const cases: [string, string][] = [
      ['io.open("/etc/passwd")', "attempt to index a nil value (global 'io')"],
      ['os.execute("id")', "attempt to call a nil value (field 'execute')"],
      ['os.getenv("HOME")', "attempt to call a nil value (field 'getenv')"],
      ['require("io")', 'module io is not available to a health script'],
      ['load("return 1")()', "attempt to call a nil value (global 'load')"],
      ['dofile("/etc/passwd")', "attempt to call a nil value (global 'dofile')"],
      ['debug.sethook()', "attempt to index a nil value (global 'debug')"],
      ['collectgarbage()', "attempt to call a nil value (global 'collectgarbage')"],
      [
        'setmetatable({}, { __gc = function() while true do end end })',
        '__gc metamethods are not allowed in a health script',
      ],
      ['string.dump(print)', "attempt to call a nil value (field 'dump')"],
    ];
    for (const [source, error] of cases) {
      const rule = await ruleOf(source, undefined, 'sandbox.lua');
      assert.deepEqual(rule(configMap()), { status: 'Unknown', message: `sandbox.lua:1: ${error}` }, source);
    }
  });

  it('a result that is not a health status says what it was', async () => {
    for (const [source, message] of [
      ['return 42', 'the script returned a number, not a table like { status = "Healthy", message = "..." }'],
      ['', 'the script returned nil, not a table like { status = "Healthy", message = "..." }'],
      ['return { status = "Fine" }', 'the script returned status "Fine", not a health status'],
      ['return { message = "no status" }', 'the script returned status nil, not a health status'],
      ['return { status = "Healthy", message = {} }', 'the script returned a table as the message, not a string'],
    ]) {
      const rule = await ruleOf(source!);
      assert.deepEqual(rule(configMap()), { status: 'Unknown', message: `test.lua: ${message}` }, source);
    }
    const numbered = await ruleOf('return { status = "Suspended", message = 7 }');
    assert.deepEqual(numbered(configMap()), { status: 'Suspended', message: '7' });
  });

  it('a script that does not compile fails the load, naming its origin and the line', async () => {
    const scripts: LuaHealthScript[] = [
      { key: '/ConfigMap', source: 'return { status = "Healthy" }', origin: 'fine.lua' },
      {
        key: '/Secret',
        source: 'local hs = {\nhs.status = "Healthy"\nreturn hs',
        origin: 'argocd-cm/resource.customizations.health.Secret',
      },
    ];
    await assert.rejects(LuaHealthRules.load(scripts), (err: unknown) => {
      assert.ok(err instanceof LuaCompileError);
      assert.equal(err.origin, 'argocd-cm/resource.customizations.health.Secret');
      assert.equal(
        err.message,
        "argocd-cm/resource.customizations.health.Secret:2: '}' expected " +
          "(to close '{' at line 1) near '=' (the health script does not compile)",
      );
      return true;
    });
    await assert.rejects(
      LuaHealthRules.load([{ key: '/ConfigMap', source: '\x1bLua', origin: 'binary.lua' }]),
      /binary\.lua: attempt to load a binary chunk/,
    );
  });
});

describe('LuaHealthRules: calls do not share state', () => {
  it('globals a call sets are gone in the next call', async () => {
    const rule = await ruleOf(
      'count = (count or 0) + 1\n_G.other = (_G.other or 0) + 1\n' +
        'return { status = "Healthy", message = count .. " " .. other }',
    );
    for (let i = 0; i < 3; i++) assert.deepEqual(rule(configMap()), { status: 'Healthy', message: '1 1' });
  });

  it('the libraries cannot be changed, not even through the string metatable or rawset', async () => {
    const rules = await LuaHealthRules.load([
      { key: '/ConfigMap', source: 'string.upper = nil', origin: 'a.lua' },
      { key: '/Secret', source: 'rawset(string, "upper", nil)', origin: 'b.lua' },
      { key: '/Service', source: 'getmetatable("").__index.upper = nil', origin: 'c.lua' },
      {
        key: '/Pod',
        source: 'return { status = "Healthy", message = ("ok"):upper() .. string.upper("!") }',
        origin: 'd.lua',
      },
    ]);
    assert.deepEqual(rules.ruleFor('', 'ConfigMap')!(configMap()), {
      status: 'Unknown',
      message: 'a.lua:1: string.upper is read-only in a health script',
    });
    assert.deepEqual(rules.ruleFor('', 'Secret')!(configMap()), {
      status: 'Unknown',
      message: 'b.lua:1: library tables are read-only in a health script',
    });
    assert.deepEqual(rules.ruleFor('', 'Service')!(configMap()), {
      status: 'Unknown',
      message: 'c.lua:1: attempt to index a boolean value',
    });
    assert.deepEqual(rules.ruleFor('', 'Pod')!(configMap()), { status: 'Healthy', message: 'OK!' });
  });

  it('a script may change its own obj: the next call gets a fresh one', async () => {
    const rule = await ruleOf(
      'local seen = obj.data.seen\nobj.data.seen = "yes"\n' + 'return { status = "Healthy", message = tostring(seen) }',
    );
    const obj = configMap();
    assert.deepEqual(rule(obj), { status: 'Healthy', message: 'nil' });
    assert.deepEqual(rule(obj), { status: 'Healthy', message: 'nil' });
    assert.deepEqual(obj.data, {}, 'the JavaScript object is untouched');
  });
});

describe('LuaHealthRules.ruleFor', () => {
  it('finds exact keys (the core group empty) before patterns, and undefined when nothing matches', async () => {
    const status = (s: string): string => `return { status = "${s}" }`;
    const rules = await LuaHealthRules.load([
      { key: '*.example.com/*', source: status('Suspended'), origin: 'wild.lua' },
      { key: 'db.example.com/Cluster', source: status('Degraded'), origin: 'exact.lua' },
      { key: '/ConfigMap', source: status('Healthy'), origin: 'core.lua' },
      { key: 'apps/Deploy?ent', source: status('Missing'), origin: 'one.lua' },
    ]);
    const run = (group: string, kind: string): string | undefined => rules.ruleFor(group, kind)?.(configMap()).status;
    assert.equal(run('db.example.com', 'Cluster'), 'Degraded');
    assert.equal(run('db.example.com', 'Backup'), 'Suspended');
    assert.equal(run('cache.example.com', 'Cluster'), 'Suspended');
    assert.equal(run('example.com', 'Cluster'), undefined, '*. needs a subdomain');
    assert.equal(run('', 'ConfigMap'), 'Healthy');
    assert.equal(run('apps', 'Deployment'), 'Missing');
    assert.equal(run('', 'Secret'), undefined);
    assert.equal(
      rules.ruleFor('db.example.com', 'Backup'),
      rules.ruleFor('db.example.com', 'Backup'),
      'the same rule each time',
    );
  });

  it('*/* matches every kind, core included', async () => {
    const rules = await LuaHealthRules.load([{ key: '*/*', source: 'return { status = "Healthy" }', origin: 'a.lua' }]);
    assert.ok(rules.ruleFor('', 'Pod'));
    assert.ok(rules.ruleFor('apps', 'Deployment'));
  });

  it('refuses a key that is not group/Kind, and two scripts for one key', async () => {
    await assert.rejects(
      LuaHealthRules.load([{ key: 'Certificate', source: '', origin: 'cm/Certificate' }]),
      /^Error: cm\/Certificate: the health script key "Certificate" is not group\/Kind/,
    );
    await assert.rejects(
      LuaHealthRules.load([
        { key: '/Pod', source: '', origin: 'a.lua' },
        { key: '/Pod', source: '', origin: 'b.lua' },
      ]),
      /two health scripts for \/Pod: a\.lua and b\.lua/,
    );
  });
});
