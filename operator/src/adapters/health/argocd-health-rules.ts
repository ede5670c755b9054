// The users' health rules as the operator and the CLI load them: Argo CD's Lua scripts from a
// ConfigMap's data (argocd-cm's `resource.customizations.health.<group_kind>` keys: what the
// chart's `health.customizations` renders) or from a folder in Argo CD's
// `<group>/<Kind>/health.lua` layout, compiled once into rules the health assessment consults
// before the built-in ones.
import type { HealthRuleSource } from '../../core/health/index.ts';
import { healthScriptsFromConfigMap, healthScriptsFromDirectory } from './argocd-scripts.ts';
import { LuaHealthRules } from './lua-health.ts';

/** Compiles a ConfigMap's scripts; throws naming the key that does not compile. */
export async function compileHealthRulesConfigMap(
  data: Readonly<Record<string, string>>,
  origin: string,
): Promise<HealthRuleSource> {
  return LuaHealthRules.load(healthScriptsFromConfigMap(data, origin));
}

/** Compiles the scripts of a `<group>/<Kind>/health.lua` folder; throws naming the file. */
export async function loadHealthRulesDirectory(dir: string): Promise<HealthRuleSource> {
  return LuaHealthRules.load(await healthScriptsFromDirectory(dir));
}
