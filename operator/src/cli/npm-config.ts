// The user's own npm configuration, as the CLI on their machine reads it: the file
// ($NPM_CONFIG_USERCONFIG, else ~/.npmrc) for its registries and tokens, and
// $npm_config_registry over the file's `registry=` line, as npm ranks them. The operator never
// reads it: there, registries come from the deploy repository's .npmrc and tokens from Secrets.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseNpmrc, type RegistryMapping } from '../core/npm/npmrc.ts';
import { userTokens } from '../core/npm/user-tokens.ts';
import type { CommandIO } from './command.ts';

export interface UserNpmConfig {
  readonly mapping: RegistryMapping;
  /** `//host/path/` → token. */
  readonly tokens: ReadonlyMap<string, string>;
}

/** Reads the user's npm configuration; an absent file is an empty one. */
export async function readUserNpmConfig(io: CommandIO): Promise<UserNpmConfig> {
  const file = io.env.NPM_CONFIG_USERCONFIG ?? io.env.npm_config_userconfig ?? join(homedir(), '.npmrc');
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw new Error(`cannot read the npm configuration ${file}: ${err.code ?? err.message}`);
  });
  const { mapping } = parseNpmrc(text, file);
  const fromEnv = io.env.npm_config_registry ?? io.env.NPM_CONFIG_REGISTRY;
  const registry = fromEnv ? parseNpmrc(undefined, '$npm_config_registry', fromEnv).mapping.registry : mapping.registry;
  return { mapping: { ...mapping, registry }, tokens: userTokens(text, io.env) };
}
