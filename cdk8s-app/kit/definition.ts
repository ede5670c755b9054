// The entry point of a deploy repository exports its environments: a map of environment name
// → a function that adds the environment's apps. Keelson asks for one environment by name.
//
//   export default defineEnvironments({ dev: (env) => shop(env, { replicas: 1 }), prod: … });
import type { Environment } from './environment.ts';

/** Adds the apps of one environment. Returns nothing. */
export type EnvironmentBuilder = (env: Environment) => void;

/** Environment name → builder. */
export type EnvironmentsDefinition = Readonly<Record<string, EnvironmentBuilder>>;

/** Raised when the entry point's exports are not an environments definition. */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
  /** How Keelson's synthesis reports it: the module defines no environment at all, or a wrong one. */
  readonly keelsonReason: 'NoEnvironments' | 'InvalidOutput';
  constructor(message: string, reason: 'NoEnvironments' | 'InvalidOutput' = 'InvalidOutput') {
    super(message);
    this.keelsonReason = reason;
  }
}

/** Raised when an environment the deploy repository does not define is asked for. */
export class UnknownEnvironmentError extends Error {
  override readonly name = 'UnknownEnvironmentError';
  /** How Keelson's synthesis reports it. */
  readonly keelsonReason = 'UnknownEnvironment';
  readonly known: readonly string[];
  constructor(environment: string, known: readonly string[]) {
    super(`the deploy repository defines no environment "${environment}" (it defines: ${known.join(', ') || 'none'})`);
    this.known = known;
  }
}

const ENV_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Declares the environments of a deploy repository; export the result as the entry point's default. */
export function defineEnvironments<T extends EnvironmentsDefinition>(environments: T): T {
  return checkDefinition(environments, 'defineEnvironments');
}

/**
 * The environments definition among a module's exports: the default export, or else the
 * export named `environments`. `file` names the entry point in messages.
 */
export function definitionOf(moduleExports: unknown, file: string): EnvironmentsDefinition {
  const exports = (moduleExports ?? {}) as Record<string, unknown>;
  const candidate = exports.default ?? exports.environments;
  if (candidate === undefined) {
    throw new DefinitionError(
      `${file} exports no environments: export default defineEnvironments({ dev: (env) => …, … })`,
      'NoEnvironments',
    );
  }
  return checkDefinition(candidate, file) as EnvironmentsDefinition;
}

function checkDefinition<T>(value: T, where: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DefinitionError(
      `${where}: the environments must be an object of name → function, got ${describeValue(value)}`,
    );
  }
  const entries = Object.entries(value);
  if (entries.length === 0) throw new DefinitionError(`${where}: no environments are defined`, 'NoEnvironments');
  for (const [name, builder] of entries) {
    if (!ENV_NAME.test(name)) throw new DefinitionError(`${where}: environment name "${name}" is not a DNS label`);
    if (typeof builder !== 'function') {
      throw new DefinitionError(
        `${where}: environment "${name}" must be a function (env) => void, got ${describeValue(builder)}`,
      );
    }
  }
  return value;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object'
    ? `an object (${Object.keys(value).slice(0, 5).join(', ') || 'empty'})`
    : `a ${typeof value}`;
}
