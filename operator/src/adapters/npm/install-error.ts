// What went wrong in npm's libraries (Arborist, pacote, npm-registry-fetch, ssri), as a
// DependencyInstallError: classified by the error's code and HTTP status, never by its text, and
// worded from what Keelson knows (the package, the registry, the lockfile), so no detail of the
// request (a header, a token) can reach the message.
import { DependencyInstallError } from '../../core/npm/dependency-error.ts';
import { credentialKeyOf, registryFor, type RegistryMapping } from '../../core/npm/npmrc.ts';

/** The package an error was about, when known. */
export interface FailedPackage {
  readonly name: string;
  readonly version?: string;
  readonly resolved?: string;
}

export interface FailureContext {
  /** The lockfile, as messages name it (e.g. `deploy/package-lock.json`). */
  readonly lockfile: string;
  readonly mapping: RegistryMapping;
  /** Registries given a token by the Environment. */
  readonly withToken: ReadonlySet<string>;
  /** The tokens, to strip from anything that is echoed as a last line of defence. */
  readonly secrets: readonly string[];
  /**
   * Where tokens come from, for what a refusal advises: the Environment's Secrets (the operator) or
   * the user's own npm configuration (the CLI on their machine). @default 'environment'
   */
  readonly tokensFrom?: TokenSource;
}

export type TokenSource = 'environment' | 'user-config';

interface NpmError {
  code?: unknown;
  statusCode?: unknown;
  type?: unknown;
  pkgid?: unknown;
  message?: unknown;
}

/** System and transport codes that mean the registry could not be reached in time. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ESOCKETTIMEDOUT',
  'ECONNECTIONTIMEOUT',
  'EIDLETIMEOUT',
  'ERESPONSETIMEOUT',
  'ETRANSFERTIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
/** minipass-fetch's FETCH_ERROR types that are timeouts. */
const TIMEOUT_TYPES = new Set(['request-timeout', 'body-timeout']);

export function classifyInstallError(
  err: unknown,
  failed: FailedPackage | undefined,
  context: FailureContext,
): DependencyInstallError {
  if (err instanceof DependencyInstallError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as NpmError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const pkg = failed ?? fromPkgid(e.pkgid);
  const what = pkg ? (pkg.version ? `${pkg.name}@${pkg.version}` : pkg.name) : 'a package';
  const registry = registryOf(pkg, context.mapping);
  const make = (reason: ConstructorParameters<typeof DependencyInstallError>[0], message: string) =>
    new DependencyInstallError(reason, scrub(message, context.secrets));

  if (code === 'EINTEGRITY') {
    return make(
      'IntegrityMismatch',
      `the tarball of ${what} from ${registry} does not match its integrity in ${context.lockfile}: the lockfile ` +
        'was edited, or the registry serves other bytes under that version; nothing was installed',
    );
  }
  if (status === 401 || status === 403 || code === 'E401' || code === 'E403') {
    const shown = status ?? Number(code?.slice(1));
    const user = context.tokensFrom === 'user-config';
    if (context.withToken.has(registry)) {
      const whose = user ? 'the token of your npm configuration (~/.npmrc)' : "the Environment's token";
      return make('Unauthorized', `the registry ${registry} refused ${whose} for ${what} (${shown})`);
    }
    const advice = user
      ? `add \`${credentialKeyOf(registry)}:_authToken=<token>\` to your npm configuration (~/.npmrc)`
      : "reference a Secret with a token for it in the Environment (a token in the repository's .npmrc is ignored)";
    return make('Unauthorized', `the registry ${registry} wants a token for ${what} (${shown}): ${advice}`);
  }
  if (status === 404 || status === 410 || code === 'E404' || code === 'E410' || code === 'ETARGET') {
    return make(
      'NotFound',
      `the registry ${registry} does not have ${what} (${code ?? status}): it was removed or unpublished, ` +
        `or ${context.lockfile} names a package that never existed there`,
    );
  }
  if ((status !== undefined && status >= 500) || (code !== undefined && /^E5\d\d$/.test(code))) {
    return make(
      'Unavailable',
      `the registry ${registry} failed (${code ?? status}) fetching ${what}; ` + 'trying again later may work',
    );
  }
  const timeout = code === 'FETCH_ERROR' && typeof e.type === 'string' && TIMEOUT_TYPES.has(e.type);
  if ((code !== undefined && UNREACHABLE.has(code)) || timeout) {
    return make(
      'Unavailable',
      `the registry ${registry} cannot be reached (${timeout ? String(e.type) : code}) fetching ${what}; ` +
        'trying again later may work',
    );
  }
  if (code !== undefined && /^EALLOW(GIT|FILE|DIRECTORY|REMOTE)$/.test(code)) {
    return make(
      'NotReproducible',
      `${context.lockfile}: ${what} is not a registry package (${code}): publish it ` +
        'to a registry and depend on that',
    );
  }
  const detail = typeof e.message === 'string' ? e.message.split('\n')[0] : String(err);
  return make('Failed', `installing ${what} from ${context.lockfile} failed${code ? ` (${code})` : ''}: ${detail}`);
}

/** Replaces every secret in a text by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

/** The registry a package came from: its tarball's when the lockfile has one, else its scope's. */
function registryOf(pkg: FailedPackage | undefined, mapping: RegistryMapping): string {
  if (!pkg) return mapping.registry;
  const byScope = registryFor(mapping, pkg.name);
  if (pkg.resolved === undefined || pkg.resolved.startsWith(byScope)) return byScope;
  try {
    return `${new URL(pkg.resolved).origin}/`;
  } catch {
    return byScope;
  }
}

/** npm-registry-fetch's `pkgid`: `name@spec`, `@scope/name@spec`, or a bare name. */
function fromPkgid(pkgid: unknown): FailedPackage | undefined {
  if (typeof pkgid !== 'string' || pkgid === '') return undefined;
  const at = pkgid.indexOf('@', 1);
  if (at < 0) return { name: pkgid };
  const spec = pkgid.slice(at + 1);
  const name = pkgid.slice(0, at);
  return /^https?:/.test(spec) ? { name, resolved: spec } : { name, version: spec };
}
