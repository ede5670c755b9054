// Health rules written in Lua, the way Argo CD users write them: a script sees the live object as the
// global `obj` and returns a table `hs` with `hs.status` (Healthy, Progressing, Degraded, Suspended,
// Missing or Unknown) and `hs.message`. The scripts run in the real Lua 5.4 interpreter (WebAssembly),
// sandboxed and limited per call (lua-engine.ts); a rule is synchronous, like core's assessHealth.
//
// Keys are `group/Kind`, the group empty for the core group (`/ConfigMap`). A key with `*` (any run of
// characters) or `?` (one character) is a pattern, matched on the group and on the kind separately:
// `*.example.com/*` is every kind of every group under example.com, `*/*` every kind, the core group's
// included. An exact key wins over the patterns; among patterns, the first in the list wins.
import type { HealthRule, HealthRuleSource } from '../../core/health/index.ts';
import { LuaEngine, type LuaLimits } from './lua-engine.ts';

export { DEFAULT_LUA_LIMITS, LuaCompileError, type LuaLimits } from './lua-engine.ts';

export interface LuaHealthScript {
  /** `group/Kind` (`/Kind` for the core group), or a pattern of them. */
  readonly key: string;
  /** The Lua source, as Argo CD keeps it. */
  readonly source: string;
  /** Where the script came from, named in every error: a file path, a ConfigMap key. */
  readonly origin: string;
}

interface Pattern {
  readonly group: RegExp;
  readonly kind: RegExp;
  readonly rule: HealthRule;
}

export class LuaHealthRules implements HealthRuleSource {
  readonly #exact: ReadonlyMap<string, HealthRule>;
  readonly #patterns: readonly Pattern[];
  /** ruleFor's answers, patterns resolved: one lookup per object after the first of its kind. */
  readonly #resolved = new Map<string, HealthRule | undefined>();
  readonly #engine: LuaEngine;

  private constructor(engine: LuaEngine, exact: ReadonlyMap<string, HealthRule>, patterns: readonly Pattern[]) {
    this.#engine = engine;
    this.#exact = exact;
    this.#patterns = patterns;
  }

  /**
   * Compiles every script once, in a Lua engine of its own. Throws for a key that is not `group/Kind`,
   * for two scripts with the same key, and for a script that does not compile (LuaCompileError), each
   * naming the script's origin.
   */
  static async load(scripts: readonly LuaHealthScript[], limits?: LuaLimits): Promise<LuaHealthRules> {
    const parsed = scripts.map((script) => ({ script, ...parseKey(script) }));
    const seen = new Map<string, string>();
    for (const { script } of parsed) {
      const earlier = seen.get(script.key);
      if (earlier !== undefined) {
        throw new Error(`two health scripts for ${script.key}: ${earlier} and ${script.origin}`);
      }
      seen.set(script.key, script.origin);
    }
    const engine = await LuaEngine.create(limits);
    const exact = new Map<string, HealthRule>();
    const patterns: Pattern[] = [];
    for (const { script, group, kind } of parsed) {
      const compiled = engine.compile(script.source, script.origin);
      const origin = script.origin;
      const rule: HealthRule = (obj) => engine.evaluate(compiled, origin, obj);
      if (isPattern(script.key)) patterns.push({ group: globToRegExp(group), kind: globToRegExp(kind), rule });
      else exact.set(script.key, rule);
    }
    return new LuaHealthRules(engine, exact, patterns);
  }

  /** The rule for objects of `group` (empty for the core group) and `kind`, or undefined if no script matches. */
  ruleFor(group: string, kind: string): HealthRule | undefined {
    const key = `${group}/${kind}`;
    if (this.#resolved.has(key)) return this.#resolved.get(key);
    const rule = this.#exact.get(key) ?? this.#patterns.find((p) => p.group.test(group) && p.kind.test(kind))?.rule;
    this.#resolved.set(key, rule);
    return rule;
  }

  /** Bytes the rules' Lua heap holds now, garbage not yet collected included. */
  get memoryUsed(): number {
    return this.#engine.memoryUsed;
  }
}

function parseKey(script: LuaHealthScript): { group: string; kind: string } {
  const parts = script.key.split('/');
  if (parts.length !== 2 || !parts[1]) {
    throw new Error(
      `${script.origin}: the health script key "${script.key}" is not group/Kind` + ' (/Kind for the core group)',
    );
  }
  return { group: parts[0]!, kind: parts[1] };
}

const isPattern = (key: string): boolean => /[*?]/.test(key);

function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.+()[\]{}|]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}
