// The operator's connection to an API server: a kubeconfig file, the in-cluster service
// account, or a remote cluster's checked credentials (ADR 0024). Its own loader, not
// client-node's KubeConfig: importing that one loads client-node's whole generated API and
// undici (about 100 MiB resident), and the operator needs only an address, TLS and a
// credential. Everything that talks to an API server takes a KubeConnection, which
// client-node's KubeConfig also satisfies (the CLI and the tests keep using it).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** What a client needs of a kubeconfig: where the API server is, and how to speak to it. */
export interface KubeConnection {
  getCurrentCluster(): { readonly name: string; readonly server: string } | null;
  getCurrentContext(): string;
  /** Sets TLS (ca, cert, key, rejectUnauthorized, servername) and the Authorization header. */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

export interface ConnectionCluster {
  readonly name: string;
  readonly server: string;
  /** PEM. */
  readonly ca?: string;
  readonly skipTLSVerify?: boolean;
  readonly tlsServerName?: string;
}

export interface ExecPlugin {
  readonly apiVersion: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface ConnectionUser {
  readonly name: string;
  readonly token?: string;
  /** Read again at every applyToHTTPSOptions: a projected service-account token rotates. */
  readonly tokenFile?: string;
  /** PEM. */
  readonly cert?: string;
  /** PEM. */
  readonly key?: string;
  readonly username?: string;
  readonly password?: string;
  readonly exec?: ExecPlugin;
  readonly impersonate?: string;
}

/** A kubeconfig that cannot be used: names the file and the entry. */
export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export class OwnKubeConfig implements KubeConnection {
  readonly cluster: ConnectionCluster;
  readonly user: ConnectionUser;
  readonly context: string;
  #exec: { until: number; credential: Promise<ExecCredential> } | undefined;

  constructor(context: string, cluster: ConnectionCluster, user: ConnectionUser) {
    this.context = context;
    this.cluster = cluster;
    this.user = user;
  }

  /** The in-cluster service account: the API server from the pod's environment, its CA and rotating token. */
  static fromCluster(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT): OwnKubeConfig {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    if (!host || !port)
      throw new KubeConfigError(
        'not in a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset) and no --kubeconfig given',
      );
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const ca = readText(join(dir, 'ca.crt'), 'the service account CA');
    return new OwnKubeConfig(
      'inCluster',
      { name: 'inCluster', server, ca },
      { name: 'inClusterUser', tokenFile: join(dir, 'token') },
    );
  }

  /** A kubeconfig file's current context (or `context`); relative file paths in it are from its folder. */
  static fromFile(path: string, context?: string): OwnKubeConfig {
    return OwnKubeConfig.fromString(readText(path, 'the kubeconfig'), { origin: path, dir: dirname(path), context });
  }

  static fromString(text: string, where: { origin: string; dir: string; context?: string }): OwnKubeConfig {
    let doc: RawKubeConfig;
    try {
      doc = (parseYaml(text) ?? {}) as RawKubeConfig;
    } catch (err) {
      throw new KubeConfigError(`${where.origin}: not YAML: ${(err as Error).message}`);
    }
    const at = (what: string) => `${where.origin}: ${what}`;
    const contextName = where.context ?? doc['current-context'];
    if (!contextName) throw new KubeConfigError(at('no current-context'));
    const context = named(doc.contexts, contextName)?.context;
    if (!context) throw new KubeConfigError(at(`no context "${contextName}"`));
    const rawCluster = named(doc.clusters, context.cluster ?? '')?.cluster;
    if (!rawCluster?.server) throw new KubeConfigError(at(`context "${contextName}": no cluster "${context.cluster}"`));
    const rawUser = context.user === undefined ? {} : named(doc.users, context.user)?.user;
    if (!rawUser) throw new KubeConfigError(at(`context "${contextName}": no user "${context.user}"`));
    const file = (p: string | undefined, what: string) =>
      p === undefined ? undefined : readText(absolute(p, where.dir), at(what));
    const data = (b64: string | undefined) => (b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString());
    if (rawCluster['proxy-url'] !== undefined)
      throw new KubeConfigError(at(`cluster "${context.cluster}": proxy-url is not supported`));
    if (rawUser['auth-provider'] !== undefined)
      throw new KubeConfigError(
        at(`user "${context.user}": auth-provider is not supported; use an exec credential plugin`),
      );
    const cluster: ConnectionCluster = {
      name: context.cluster!,
      server: rawCluster.server,
      ca: data(rawCluster['certificate-authority-data']) ?? file(rawCluster['certificate-authority'], 'its CA'),
      skipTLSVerify: rawCluster['insecure-skip-tls-verify'] === true,
      tlsServerName: rawCluster['tls-server-name'],
    };
    const exec = rawUser.exec;
    const user: ConnectionUser = {
      name: context.user ?? '',
      token: rawUser.token,
      tokenFile: rawUser.tokenFile === undefined ? undefined : absolute(rawUser.tokenFile, where.dir),
      cert: data(rawUser['client-certificate-data']) ?? file(rawUser['client-certificate'], 'its client certificate'),
      key: data(rawUser['client-key-data']) ?? file(rawUser['client-key'], 'its client key'),
      username: rawUser.username,
      password: rawUser.password,
      impersonate: rawUser.as,
      exec:
        exec === undefined
          ? undefined
          : {
              apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1',
              command: absoluteCommand(exec.command, where.dir, at(`user "${context.user}": exec`)),
              args: exec.args ?? [],
              env: Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])),
            },
    };
    return new OwnKubeConfig(contextName, cluster, user);
  }

  getCurrentCluster(): ConnectionCluster {
    return this.cluster;
  }

  getCurrentContext(): string {
    return this.context;
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    const { cluster, user } = this;
    if (cluster.ca !== undefined) options.ca = cluster.ca;
    if (cluster.skipTLSVerify) options.rejectUnauthorized = false;
    if (cluster.tlsServerName !== undefined) options.servername = cluster.tlsServerName;
    const headers: Record<string, string> = { ...(options.headers as Record<string, string> | undefined) };
    let cert = user.cert;
    let key = user.key;
    if (user.exec) {
      const credential = await this.#execCredential(user.exec);
      if (credential.token !== undefined) headers.Authorization = `Bearer ${credential.token}`;
      cert = credential.clientCertificateData ?? cert;
      key = credential.clientKeyData ?? key;
    } else if (user.tokenFile !== undefined) {
      headers.Authorization = `Bearer ${readText(user.tokenFile, `user "${user.name}": its tokenFile`).trim()}`;
    } else if (user.token !== undefined) {
      headers.Authorization = `Bearer ${user.token}`;
    } else if (user.username !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
    }
    if (cert !== undefined) options.cert = cert;
    if (key !== undefined) options.key = key;
    if (user.impersonate !== undefined) headers['Impersonate-User'] = user.impersonate;
    options.headers = headers;
  }

  /** The exec plugin's credential, run again once it expires (or failed). */
  #execCredential(exec: ExecPlugin): Promise<ExecCredential> {
    if (this.#exec && Date.now() < this.#exec.until) return this.#exec.credential;
    const credential = runExecPlugin(exec, this.user.name);
    const entry = { until: Number.POSITIVE_INFINITY, credential };
    this.#exec = entry;
    credential.then(
      (c) => (entry.until = c.expirationTimestamp ? Date.parse(c.expirationTimestamp) - 10_000 : entry.until),
      () => (entry.until = 0),
    );
    return credential;
  }
}

interface ExecCredential {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  readonly expirationTimestamp?: string;
}

function runExecPlugin(exec: ExecPlugin, user: string): Promise<ExecCredential> {
  const info = { apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } };
  return new Promise((resolve, reject) => {
    execFile(
      exec.command,
      [...exec.args],
      {
        env: { ...process.env, ...exec.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) },
        timeout: 60_000,
        maxBuffer: 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const failed = (why: string) =>
          reject(new KubeConfigError(`user "${user}": the exec plugin ${exec.command} ${why}`));
        if (err) return failed(`failed: ${err.message}${stderr ? `: ${stderr.trim().slice(-500)}` : ''}`);
        try {
          const status = (JSON.parse(stdout) as { status?: ExecCredential }).status;
          if (!status?.token && !status?.clientCertificateData) return failed('gave no token and no certificate');
          resolve(status);
        } catch {
          failed('printed no ExecCredential JSON');
        }
      },
    );
  });
}

/** A remote cluster's connection from data only: no file and no plugin is ever read or run. */
export function connectionOf(cluster: Omit<ConnectionCluster, 'name'>, user: Omit<ConnectionUser, 'name'>) {
  return new OwnKubeConfig(
    'destination',
    { name: 'destination', ...cluster },
    { name: 'keelson', token: user.token, cert: user.cert, key: user.key },
  );
}

interface RawKubeConfig {
  'current-context'?: string;
  clusters?: { name: string; cluster?: RawCluster }[];
  users?: { name: string; user?: RawUser }[];
  contexts?: { name: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
}

interface RawCluster {
  server?: string;
  'certificate-authority-data'?: string;
  'certificate-authority'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface RawUser {
  token?: string;
  tokenFile?: string;
  'client-certificate-data'?: string;
  'client-key-data'?: string;
  'client-certificate'?: string;
  'client-key'?: string;
  username?: string;
  password?: string;
  as?: string;
  exec?: { apiVersion?: string; command: string; args?: string[]; env?: { name: string; value: string }[] };
  'auth-provider'?: unknown;
}

function named<T extends { name: string }>(list: readonly T[] | undefined, name: string): T | undefined {
  return list?.find((entry) => entry.name === name);
}

function absolute(path: string, dir: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

/** kubectl runs a command with a slash relative to the kubeconfig's folder, and a bare name from the PATH. */
function absoluteCommand(command: string | undefined, dir: string, where: string): string {
  if (!command) throw new KubeConfigError(`${where}: no command`);
  return command.includes('/') ? absolute(command, dir) : command;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new KubeConfigError(`${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}
