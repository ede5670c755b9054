// The registries a deploy repository's .npmrc names: `registry=` and `@scope:registry=` lines,
// nothing else. Tokens (`//host/:_authToken=…`) and every other setting are ignored: a token
// comes only from a Secret the Environment references, and settings such as `ignore-scripts`
// or `strict-ssl` are the operator's to decide, never the repository's.
import { DependencyInstallError } from './dependency-error.ts';

/** The public registry npm uses when nothing else is configured. */
export const NPM_PUBLIC_REGISTRY = 'https://registry.npmjs.org/';

/** Where each package comes from: the default registry, and one per `@scope` that has its own. */
export interface RegistryMapping {
  /** Ends with '/'. */
  readonly registry: string;
  /** `@scope` → registry URL (ends with '/'), sorted by scope. */
  readonly scopes: Readonly<Record<string, string>>;
}

export interface NpmrcRegistries {
  readonly mapping: RegistryMapping;
  /** Keys of the settings that were ignored, for a warning (never their values, which may be tokens). */
  readonly ignored: readonly string[];
}

/**
 * Reads the registry lines of an .npmrc (`text` undefined: there is none). `file` names it in
 * messages; `defaultRegistry` applies when it has no `registry=` line.
 */
export function parseNpmrc(
  text: string | undefined,
  file: string,
  defaultRegistry: string = NPM_PUBLIC_REGISTRY,
): NpmrcRegistries {
  let registry = normalizeRegistry(defaultRegistry, 'the default registry', file);
  const scopes = new Map<string, string>();
  const ignored: string[] = [];
  const lines = (text ?? '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const at = line.indexOf('=');
    const key = (at < 0 ? line : line.slice(0, at)).trim();
    const value = unquote(at < 0 ? '' : line.slice(at + 1).trim());
    const where = `${file}:${index + 1}`;
    if (key === 'registry') {
      registry = normalizeRegistry(value, `"registry"`, where);
    } else if (/^@[^/:\s]+:registry$/.test(key)) {
      const scope = key.slice(0, -':registry'.length);
      scopes.set(scope, normalizeRegistry(value, `"${key}"`, where));
    } else if (!ignored.includes(key)) {
      ignored.push(key);
    }
  });
  const sorted = Object.fromEntries([...scopes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { mapping: { registry, scopes: sorted }, ignored };
}

/** The registry a package is fetched from: its scope's, or the default. */
export function registryFor(mapping: RegistryMapping, packageName: string): string {
  if (!packageName.startsWith('@')) return mapping.registry;
  const scope = packageName.slice(0, packageName.indexOf('/'));
  return mapping.scopes[scope] ?? mapping.registry;
}

/** Every distinct registry of the mapping, the default first. */
export function registriesOf(mapping: RegistryMapping): string[] {
  return [...new Set([mapping.registry, ...Object.values(mapping.scopes)])];
}

/** The `//host[:port]/path/` prefix npm keys a registry's credentials by. */
export function credentialKeyOf(registry: string): string {
  const url = new URL(registry);
  return `//${url.host}${url.pathname}`;
}

function normalizeRegistry(value: string, what: string, where: string): string {
  // npm would expand ${VAR} from the environment: the operator's environment is not the repository's to read.
  if (value.includes('${')) {
    throw new DependencyInstallError(
      'Invalid',
      `${what} in ${where} uses an environment variable (${value}): write the registry URL itself`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DependencyInstallError('Invalid', `${what} in ${where} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DependencyInstallError('Invalid', `${what} in ${where} is not an http(s) URL: "${value}"`);
  }
  if (url.username || url.password) {
    // Never echo it: the user part of a URL is a credential.
    throw new DependencyInstallError(
      'Invalid',
      `${what} in ${where} has credentials in its URL: give them through the Environment's registry Secret`,
    );
  }
  url.search = '';
  url.hash = '';
  const text = url.toString();
  return text.endsWith('/') ? text : `${text}/`;
}

function unquote(value: string): string {
  const quoted = value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0];
  return quoted ? value.slice(1, -1) : value;
}
