// What a cluster Secret holds, read and checked: the server, the CA and one way to
// authenticate that the operator can use without running anything or reading a file (a bearer
// token, or a client certificate and key). A kubeconfig is accepted under `kubeconfig` (its
// current context); `server`, `ca.crt` and `token` (or `tls.crt` and `tls.key`) are accepted as
// keys of their own. An exec plugin, an auth provider, a file path or basic auth is refused,
// naming the Secret and the key. The identity of a cluster is a hash of what connects to it,
// so two Secrets with the same content share one connection and a changed Secret is a new one.
import { parse } from 'yaml';
import { hashObject } from '../diff/index.ts';

export interface ClusterCredentials {
  /** https://host:port of the API server. */
  readonly server: string;
  /** PEM of the CA that signed the server's certificate; the system's CAs when absent. */
  readonly caData?: string;
  /** Name to check the server's certificate against, when it differs from the host. */
  readonly tlsServerName?: string;
  /** Skip the check of the server's certificate (kubeconfig insecure-skip-tls-verify). */
  readonly insecureSkipTlsVerify?: boolean;
  readonly token?: string;
  /** PEM client certificate and key. */
  readonly clientCertData?: string;
  readonly clientKeyData?: string;
}

/** Key of the Secret that holds a kubeconfig. */
export const KUBECONFIG_KEY = 'kubeconfig';

/** A cluster Secret that cannot be used; `key` is the key of the Secret at fault. */
export class ClusterSecretError extends Error {
  override readonly name = 'ClusterSecretError';
  readonly key: string;
  constructor(secret: string, key: string, problem: string) {
    super(`cluster Secret ${secret}, key "${key}": ${problem}`);
    this.key = key;
  }
}

/**
 * The credentials in a cluster Secret's data (values decoded); `secret` (`namespace/name`) is
 * only for messages. Throws ClusterSecretError.
 */
export function parseClusterSecret(secret: string, data: Readonly<Record<string, string>>): ClusterCredentials {
  if (data[KUBECONFIG_KEY] !== undefined) return parseKubeconfig(secret, data[KUBECONFIG_KEY]);
  const server = data.server?.trim();
  if (!server) {
    const keys = `"${KUBECONFIG_KEY}", or "server" with "token" or "tls.crt" and "tls.key"`;
    throw new ClusterSecretError(secret, 'server', `missing: the Secret needs ${keys}`);
  }
  return checked(secret, 'server', {
    server,
    caData: data['ca.crt'] || undefined,
    token: data.token?.trim() || undefined,
    clientCertData: data['tls.crt'] || undefined,
    clientKeyData: data['tls.key'] || undefined,
  });
}

type Entry = Record<string, unknown>;

function parseKubeconfig(secret: string, text: string): ClusterCredentials {
  const key = KUBECONFIG_KEY;
  let config: Entry;
  try {
    config = parse(text) as Entry;
  } catch {
    throw new ClusterSecretError(secret, key, 'is not YAML');
  }
  if (!config || typeof config !== 'object') throw new ClusterSecretError(secret, key, 'is not a kubeconfig');
  const contextName = config['current-context'];
  if (typeof contextName !== 'string' || !contextName)
    throw new ClusterSecretError(secret, key, 'has no current-context');
  const context = named(config.contexts, contextName, 'context');
  const clusterName = context?.cluster;
  const userName = context?.user;
  if (!context || typeof clusterName !== 'string')
    throw new ClusterSecretError(secret, key, `context "${contextName}" is missing or names no cluster`);
  const cluster = named(config.clusters, clusterName, 'cluster');
  if (!cluster) throw new ClusterSecretError(secret, key, `cluster "${clusterName}" is missing`);
  const user = typeof userName === 'string' ? (named(config.users, userName, 'user') ?? {}) : {};
  refuse(secret, user, {
    exec: 'an exec credential plugin runs a program; Keelson runs none (use a token or a client certificate)',
    'auth-provider': 'an auth provider is not supported (use a token or a client certificate)',
    tokenFile: 'a token file is a path on the machine the kubeconfig was made on (put the token itself in "token")',
    'client-certificate': 'a file path (use client-certificate-data)',
    'client-key': 'a file path (use client-key-data)',
    username: 'basic auth is not supported (use a token or a client certificate)',
    password: 'basic auth is not supported (use a token or a client certificate)',
  });
  refuse(secret, cluster, { 'certificate-authority': 'a file path (use certificate-authority-data)' });
  return checked(secret, key, {
    server: String(cluster.server ?? ''),
    caData: decoded(cluster['certificate-authority-data']),
    tlsServerName: str(cluster['tls-server-name']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true || undefined,
    token: str(user.token),
    clientCertData: decoded(user['client-certificate-data']),
    clientKeyData: decoded(user['client-key-data']),
  });
}

function checked(secret: string, key: string, c: ClusterCredentials): ClusterCredentials {
  let url: URL;
  try {
    url = new URL(c.server);
  } catch {
    throw new ClusterSecretError(secret, key, `the server "${c.server}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new ClusterSecretError(secret, key, 'the server must be an https:// URL');
  if (!c.token && !(c.clientCertData && c.clientKeyData))
    throw new ClusterSecretError(secret, key, 'no credentials: give a token, or a client certificate and its key');
  if ((c.clientCertData === undefined) !== (c.clientKeyData === undefined))
    throw new ClusterSecretError(secret, key, 'a client certificate needs its key, and a key its certificate');
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as unknown as ClusterCredentials;
}

function refuse(secret: string, entry: Entry, fields: Readonly<Record<string, string>>): void {
  for (const [field, why] of Object.entries(fields))
    if (entry[field] !== undefined && entry[field] !== '')
      throw new ClusterSecretError(secret, KUBECONFIG_KEY, `${field} is refused: ${why}`);
}

function named(list: unknown, name: string, field: string): Entry | undefined {
  if (!Array.isArray(list)) return undefined;
  const item = (list as Entry[]).find((i) => i?.name === name);
  const value = item?.[field];
  return value && typeof value === 'object' ? (value as Entry) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function decoded(value: unknown): string | undefined {
  return typeof value === 'string' && value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}

/**
 * The identity of a cluster connection: a hash of everything that connects (server, trust and
 * credentials). Equal content, one connection; any change, another.
 */
export function clusterIdentity(credentials: ClusterCredentials): string {
  return hashObject(credentials).slice(0, 16);
}

/** The server as a metric label and in messages: scheme, host and port, never a credential. */
export function clusterLabel(credentials: Pick<ClusterCredentials, 'server'>): string {
  const url = new URL(credentials.server);
  return `${url.protocol}//${url.host}`;
}
