// `keelson diff <env>`: what a sync would change, from the operator's last comparison,
// Secret values masked. It asks the operator's API (`--server`, KEELSON_SERVER, or the
// `keelson` Service through the API server's proxy) with the kubeconfig's bearer token or
// `--token`; RBAC needs verb `get` on the Environment.
import type * as k8s from '@kubernetes/client-node';
import { CLUSTER_OPTIONS, parseCommandArgs, type Command } from './command.ts';
import { connect } from './cluster.ts';

const COLORS = { remove: '\u001b[31m', add: '\u001b[32m', hunk: '\u001b[36m', header: '\u001b[1m', reset: '\u001b[0m' };

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Show what a sync of an Environment would change (Secret values masked)',
  usage:
    'keelson diff <environment> [-n <namespace>] [--server URL] [--token TOKEN] [--keelson-namespace keelson-system]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        ...CLUSTER_OPTIONS,
        server: { type: 'string' },
        token: { type: 'string' },
        'keelson-namespace': { type: 'string' },
      },
      { min: 1, max: 1 },
    );
    const cluster = connect(values, io);
    const name = positionals[0]!;
    const path = `/api/v1/namespaces/${encodeURIComponent(cluster.namespace)}/environments/${encodeURIComponent(name)}/diff`;
    const server = values.server ?? io.env.KEELSON_SERVER;
    const headers: Record<string, string> = {};
    const token = values.token ?? io.env.KEELSON_TOKEN ?? (await bearerOf(cluster.kubeConfig));
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    if (server) {
      res = await fetch(`${server.replace(/\/$/, '')}${path}`, { headers });
    } else {
      // Through the API server's service proxy to the keelson Service.
      const ns = values['keelson-namespace'] ?? 'keelson-system';
      const base = cluster.kubeConfig.getCurrentCluster()!.server;
      const opts: { headers?: Record<string, string> } = {};
      await cluster.kubeConfig.applyToHTTPSOptions(opts as never);
      res = await fetch(`${base}/api/v1/namespaces/${ns}/services/http:keelson:http/proxy${path}`, {
        headers: { ...opts.headers, ...headers },
      });
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string; message?: string }).error ?? message;
      } catch {
        // plain text
      }
      io.stderr(
        `keelson diff: ${res.status}: ${message.trim()}${!token && res.status === 401 ? ' (the kubeconfig has no bearer token: pass --token, e.g. from `kubectl create token`)' : ''}\n`,
      );
      return 1;
    }
    io.stdout(io.isTty ? colorize(text) : text);
    return 0;
  },
};

async function bearerOf(kc: k8s.KubeConfig): Promise<string | undefined> {
  const opts: { headers?: Record<string, string> } = {};
  try {
    await kc.applyToHTTPSOptions(opts as never);
  } catch {
    return undefined;
  }
  return /^Bearer\s+(.+)$/i.exec(opts.headers?.Authorization ?? opts.headers?.authorization ?? '')?.[1];
}

function colorize(text: string): string {
  return text
    .split('\n')
    .map((l) =>
      l.startsWith('---') || l.startsWith('+++')
        ? `${COLORS.header}${l}${COLORS.reset}`
        : l.startsWith('@@')
          ? `${COLORS.hunk}${l}${COLORS.reset}`
          : l.startsWith('-')
            ? `${COLORS.remove}${l}${COLORS.reset}`
            : l.startsWith('+')
              ? `${COLORS.add}${l}${COLORS.reset}`
              : l,
    )
    .join('\n');
}
