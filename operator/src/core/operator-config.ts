// The operator's configuration, read once at start from flags and environment variables
// (KEELSON_<FLAG> for --<flag>; a flag wins over the variable). Every problem is reported
// at once, naming the flag.
import { parseDuration } from './duration.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';

export interface OperatorConfig {
  /** REST API and webhook receiver. */
  readonly listen: string;
  /** /metrics, /healthz, /readyz. */
  readonly metricsListen: string;
  readonly logLevel: LogLevel;
  /** Environments reconciled at once. */
  readonly concurrency: number;
  readonly synthWorkers: number;
  readonly synthMemoryMiB: number;
  readonly synthTimeoutMs: number;
  /** The helm and kustomize programs that render what a deploy repository asks for. */
  readonly helm: string;
  readonly kustomize: string;
  /** Limits of one render. */
  readonly renderTimeoutMs: number;
  readonly renderMemoryMiB: number;
  /** Git object cache and synthesis scratch space. */
  readonly cacheDir: string;
  readonly leaderElect: boolean;
  /**
   * Spread the Environments, GitRepositories and Notifications over this many shards, each
   * held by one replica with a Lease (ADR 0023); 0 is off (one replica, or --leader-elect).
   */
  readonly shards: number;
  /** How long a Lease (the leader's or a shard's) holds without renewal: the takeover time after a crash. */
  readonly leaseDurationMs: number;
  readonly leaseName: string;
  readonly leaseNamespace: string;
  /** This replica's name in the Lease. */
  readonly identity: string;
  /** Namespaces to watch; empty means all. */
  readonly namespaces: readonly string[];
  /** Periodic requeue of every object, so a missed event cannot strand one. */
  readonly resyncIntervalMs: number;
  /**
   * How long a stop waits for the reconciles in progress before it abandons them (a sync
   * resumes from status.operation at the next start): bounded, so an unreachable API server
   * cannot hold the pod past its grace period.
   */
  readonly shutdownTimeoutMs: number;
  /** A kubeconfig file; absent means in-cluster configuration. */
  readonly kubeconfig?: string;
  /**
   * The ConfigMap (`<namespace>/<name>`, or `<name>` in the lease namespace) of the users'
   * health rules, Argo CD's keys; watched. Absent means the built-in rules only.
   */
  readonly healthRules?: string;
  /** Serve the web UI under /ui/ on the API's port (ADR 17). */
  readonly ui: boolean;
  /** The built front end; absent means operator/ui/dist next to the operator's sources. */
  readonly uiDir?: string;
  /** The cluster-registration namespace: its cluster Secrets serve Environments of other namespaces. */
  readonly clusterNamespace?: string;
  /**
   * The web UI's base URL as users reach it (https://keelson.example.com): notifications link to its pages,
   * and single sign-on's redirect URI is `<uiUrl>/ui/auth/callback` (absent: from each request's Host).
   */
  readonly uiUrl?: string;
  /** The OIDC issuer the cluster's API server trusts (its --oidc-issuer-url): the UI's "Log in with SSO". */
  readonly oidcIssuerUrl?: string;
  /** The client id registered at the issuer, the API server's --oidc-client-id (the ID token's audience). */
  readonly oidcClientId?: string;
  /** A PEM file of the CA of the issuer's TLS certificate; absent: Node's CAs. */
  readonly oidcCaFile?: string;
  /** The scopes single sign-on asks for. */
  readonly oidcScopes: readonly string[];
}

interface FlagSpec {
  readonly key: keyof OperatorConfig;
  readonly kind: 'string' | 'int' | 'bool' | 'duration' | 'list' | 'level';
  readonly default?: string;
  readonly min?: number;
}

const FLAGS: Readonly<Record<string, FlagSpec>> = {
  listen: { key: 'listen', kind: 'string', default: ':8080' },
  'metrics-listen': { key: 'metricsListen', kind: 'string', default: ':8081' },
  'log-level': { key: 'logLevel', kind: 'level', default: 'info' },
  concurrency: { key: 'concurrency', kind: 'int', default: '4', min: 1 },
  'synth-workers': { key: 'synthWorkers', kind: 'int', default: '2', min: 1 },
  'synth-memory-mib': { key: 'synthMemoryMiB', kind: 'int', default: '512', min: 64 },
  'synth-timeout': { key: 'synthTimeoutMs', kind: 'duration', default: '60s' },
  helm: { key: 'helm', kind: 'string', default: 'helm' },
  kustomize: { key: 'kustomize', kind: 'string', default: 'kustomize' },
  'render-timeout': { key: 'renderTimeoutMs', kind: 'duration', default: '60s' },
  'render-memory-mib': { key: 'renderMemoryMiB', kind: 'int', default: '512', min: 64 },
  'cache-dir': { key: 'cacheDir', kind: 'string' },
  'leader-elect': { key: 'leaderElect', kind: 'bool', default: 'false' },
  shards: { key: 'shards', kind: 'int', default: '0', min: 0 },
  'lease-duration': { key: 'leaseDurationMs', kind: 'duration', default: '15s' },
  'lease-name': { key: 'leaseName', kind: 'string', default: 'keelson-operator' },
  'lease-namespace': { key: 'leaseNamespace', kind: 'string' },
  identity: { key: 'identity', kind: 'string' },
  namespaces: { key: 'namespaces', kind: 'list', default: '' },
  'resync-interval': { key: 'resyncIntervalMs', kind: 'duration', default: '5m' },
  'shutdown-timeout': { key: 'shutdownTimeoutMs', kind: 'duration', default: '20s' },
  kubeconfig: { key: 'kubeconfig', kind: 'string' },
  'health-rules': { key: 'healthRules', kind: 'string' },
  ui: { key: 'ui', kind: 'bool', default: 'true' },
  'ui-dir': { key: 'uiDir', kind: 'string' },
  'cluster-namespace': { key: 'clusterNamespace', kind: 'string' },
  'ui-url': { key: 'uiUrl', kind: 'string' },
  'oidc-issuer-url': { key: 'oidcIssuerUrl', kind: 'string' },
  'oidc-client-id': { key: 'oidcClientId', kind: 'string' },
  'oidc-ca-file': { key: 'oidcCaFile', kind: 'string' },
  'oidc-scopes': { key: 'oidcScopes', kind: 'list', default: 'openid,email,profile,groups' },
};

export interface ConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Fallbacks the caller knows: the pod's namespace and name, a temp dir. */
  readonly defaults: { readonly namespace: string; readonly identity: string; readonly cacheDir: string };
}

export function parseOperatorConfig(sources: ConfigSources): OperatorConfig {
  const given = new Map<string, string>();
  const problems: string[] = [];
  for (const [flag] of Object.entries(FLAGS)) {
    const fromEnv = sources.env[`KEELSON_${flag.toUpperCase().replaceAll('-', '_')}`];
    if (fromEnv !== undefined) given.set(flag, fromEnv);
  }
  for (let i = 0; i < sources.argv.length; i++) {
    const arg = sources.argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !FLAGS[m[1]!]) {
      problems.push(
        `unknown argument "${arg}" (flags: ${Object.keys(FLAGS)
          .map((f) => `--${f}`)
          .join(', ')})`,
      );
      continue;
    }
    const spec = FLAGS[m[1]!]!;
    if (m[2] !== undefined) given.set(m[1]!, m[2]);
    else if (spec.kind === 'bool') given.set(m[1]!, 'true');
    else if (i + 1 < sources.argv.length) given.set(m[1]!, sources.argv[++i]!);
    else problems.push(`--${m[1]} needs a value`);
  }
  const fallback: Partial<Record<string, string>> = {
    'lease-namespace': sources.env.POD_NAMESPACE ?? sources.defaults.namespace,
    identity: sources.env.POD_NAME ?? sources.defaults.identity,
    'cache-dir': sources.defaults.cacheDir,
    kubeconfig: sources.env.KUBECONFIG,
  };
  const config: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const text = given.get(flag) ?? spec.default ?? fallback[flag];
    if (text === undefined) continue;
    const value = convert(flag, spec, text, problems);
    if (value !== undefined) config[spec.key] = value;
  }
  if (config.leaderElect === true && Number(config.shards) > 0)
    problems.push('--shards and --leader-elect exclude each other: with shards, every replica works, one per shard');
  if (Number(config.leaseDurationMs) < 3000)
    problems.push('--lease-duration: below 3s a busy replica would lose its Leases');
  problems.push(...ssoProblems(config));
  if (problems.length > 0) throw new Error(`invalid operator configuration:\n  ${problems.join('\n  ')}`);
  return config as unknown as OperatorConfig;
}

function convert(flag: string, spec: FlagSpec, text: string, problems: string[]): unknown {
  switch (spec.kind) {
    case 'string':
      return text;
    case 'bool':
      if (text === 'true' || text === 'false') return text === 'true';
      problems.push(`--${flag}: "${text}" is not true or false`);
      return undefined;
    case 'int': {
      const n = Number(text);
      if (Number.isInteger(n) && n >= (spec.min ?? 0)) return n;
      problems.push(`--${flag}: "${text}" is not a whole number ≥ ${spec.min ?? 0}`);
      return undefined;
    }
    case 'duration':
      try {
        return parseDuration(text);
      } catch {
        problems.push(`--${flag}: "${text}" is not a duration (30s, 5m, 1h)`);
        return undefined;
      }
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'level':
      if ((LOG_LEVELS as readonly string[]).includes(text)) return text;
      problems.push(`--${flag}: "${text}" is not one of ${LOG_LEVELS.join(', ')}`);
      return undefined;
  }
}

/** Single sign-on wants an https issuer and a client id together, the UI, and the openid scope. */
function ssoProblems(config: Record<string, unknown>): string[] {
  const issuer = config.oidcIssuerUrl as string | undefined;
  const clientId = config.oidcClientId as string | undefined;
  if (issuer === undefined && clientId === undefined) return [];
  const problems: string[] = [];
  if (!issuer || !clientId) problems.push('--oidc-issuer-url and --oidc-client-id go together');
  if (issuer && !/^https:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(issuer))
    problems.push(`--oidc-issuer-url: "${issuer}" is not an https URL without query or fragment (as the API server's)`);
  if (config.ui === false) problems.push("--oidc-issuer-url: single sign-on is the UI's, and --ui is false");
  if (!(config.oidcScopes as readonly string[] | undefined)?.includes('openid'))
    problems.push('--oidc-scopes: must include openid');
  return problems;
}
