// Git credentials from a Kubernetes Secret's data: `username` + `password` (a token works
// as the password), or `bearerToken` alone; `ca.crt` a PEM bundle for a private server.
// They become an Authorization header and never appear in a URL, message or status.

export interface GitCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly bearerToken?: string;
  readonly caBundle?: string;
}

/** The Secret's data was there but unusable; the message names keys, never values. */
export class CredentialsInvalidError extends Error {
  override readonly name = 'CredentialsInvalidError';
  readonly code = 'CredentialsInvalid';
}

/** Reads credentials from Secret `data` (base64 values, as the API returns them). */
export function credentialsFromSecretData(
  secretName: string,
  data: Readonly<Record<string, string>> | undefined,
): GitCredentials {
  const get = (key: string) =>
    data?.[key] === undefined ? undefined : Buffer.from(data[key]!, 'base64').toString('utf8');
  const username = get('username');
  const password = get('password');
  const bearerToken = get('bearerToken');
  const caBundle = get('ca.crt');
  if (password !== undefined && username === undefined) {
    // A token alone: most servers accept any user name with a token as the password.
    return { username: 'git', password, caBundle };
  }
  if (username !== undefined && password === undefined) {
    throw new CredentialsInvalidError(
      `Secret "${secretName}" has "username" but no "password": add the password or a token as "password"`,
    );
  }
  if (caBundle !== undefined && !caBundle.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CredentialsInvalidError(`Secret "${secretName}" has a "ca.crt" that is not a PEM certificate bundle`);
  }
  // username and password are both set or both undefined here.
  return { username, password, bearerToken, caBundle };
}

/** The Authorization header for these credentials, if any. */
export function authorizationHeaders(credentials: GitCredentials | undefined): Record<string, string> {
  if (credentials?.bearerToken) return { authorization: `Bearer ${credentials.bearerToken}` };
  if (credentials?.username !== undefined) {
    const basic = Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  return {};
}
