// The tokens of the user's own npm configuration (~/.npmrc), for `keelson synth` on their
// machine: what `npm ci` there would send. `//host/path/:_authToken=<token>` lines, a
// `${VARIABLE}` in the token taken from the environment as npm does. Never the deploy
// repository's .npmrc, whose tokens Keelson ignores; never used by the operator, which takes
// tokens from the Environment's Secrets only.
import { credentialKeyOf } from './npmrc.ts';

/** `//host/path/` → token. */
export function userTokens(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): ReadonlyMap<string, string> {
  const tokens = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^(\/\/\S+?):_authToken\s*=\s*(.+)$/.exec(line);
    if (!m) continue;
    const token = m[2]!
      .replace(/^["']|["']$/g, '')
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? '');
    if (token) tokens.set(m[1]!.endsWith('/') ? m[1]! : `${m[1]}/`, token);
  }
  return tokens;
}

/** The token for a registry URL: the longest `//host/path/` key it starts with. */
export function tokenFor(tokens: ReadonlyMap<string, string>, registryUrl: string): string | undefined {
  const key = credentialKeyOf(registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`);
  let best: string | undefined;
  for (const prefix of tokens.keys()) {
    if (key.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : tokens.get(best);
}
