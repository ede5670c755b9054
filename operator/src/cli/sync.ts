// `keelson sync <env> [--revision <commit>] [--wait]`: asks the operator for a sync by
// writing the keelson.dev/sync-requested-at annotation (the REST API writes the same),
// then optionally follows the operation through hooks and waves until it ends.
import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvironmentResource } from '../adapters/kubernetes/keelson-resources.ts';
import { parseDuration } from '../core/duration.ts';
import { formatSyncRequest, syncRequestAnnotations, type SyncRequest } from '../core/environment/sync-request.ts';
import { CLUSTER_OPTIONS, parseCommandArgs, UsageError, type Command, type CommandIO } from './command.ts';
import { connect, type Cluster } from './cluster.ts';

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Sync an Environment now (optionally to a given commit) and follow it with --wait',
  usage: 'keelson sync <environment> [-n <namespace>] [--revision <commit>] [--no-prune] [--wait] [--timeout 10m]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        ...CLUSTER_OPTIONS,
        revision: { type: 'string' },
        'no-prune': { type: 'boolean' },
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
      },
      { min: 1, max: 1 },
    );
    if (values.revision !== undefined && !/^[0-9a-f]{40}$/.test(values.revision)) {
      throw new UsageError(`--revision must be a full commit id (40 hex digits), not "${values.revision}"`);
    }
    const timeoutMs = parseTimeout(values.timeout);
    const cluster = connect(values, io);
    const name = positionals[0]!;
    const request = await requestSync(cluster, name, {
      token: new Date().toISOString(),
      commit: values.revision,
      prune: values['no-prune'] ? false : undefined,
    });
    const at = values.revision ? ` at ${values.revision}` : '';
    io.stdout(`sync of ${cluster.namespace}/${name} requested${at}${values['no-prune'] ? ', without prune' : ''}\n`);
    if (!values.wait) return 0;
    return followOperation(cluster, name, formatSyncRequest(request), timeoutMs, io);
  },
};

export function parseTimeout(text: string | undefined): number {
  try {
    return parseDuration(text ?? '10m');
  } catch (err) {
    throw new UsageError(`--timeout: ${(err as Error).message}`);
  }
}

/** A closed sync window refuses a manual sync: the operator would too (ADR 0021). */
export class SyncWindowClosedError extends Error {
  override readonly name = 'SyncWindowClosedError';
}

export async function requestSync(cluster: Cluster, name: string, request: SyncRequest): Promise<SyncRequest> {
  const env = await cluster.resources.getEnvironment(cluster.namespace, name);
  const window = env.status?.syncWindow;
  if (window && !window.manualSyncAllowed) {
    const next = window.nextChange ? `; syncs are allowed again at ${window.nextChange}` : '';
    throw new SyncWindowClosedError(
      `sync of ${cluster.namespace}/${name} refused: sync window closed: ${window.reason}${next} ` +
        '(keelson windows shows them)',
    );
  }
  await cluster.resources.patchEnvironment(cluster.namespace, name, {
    metadata: { annotations: syncRequestAnnotations(request, cluster.user) },
  });
  return request;
}

/**
 * Follows the operation started for `token` until it finishes; prints each task as it
 * changes. Exit 0 when it succeeded, 1 when it failed or the time ran out.
 */
export async function followOperation(
  cluster: Cluster,
  name: string,
  token: string,
  timeoutMs: number,
  io: CommandIO,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<string, string>();
  let started = false;
  while (Date.now() < deadline) {
    const env: EnvironmentResource = await cluster.resources.getEnvironment(cluster.namespace, name);
    const op = env.status?.operation;
    if (env.status?.syncWindow?.refusedSyncAt === token) {
      io.stderr(`sync refused: sync window closed: ${env.status.syncWindow.reason}\n`);
      return 1;
    }
    if (env.status?.lastHandledSyncAt === token && op) {
      if (!started) {
        io.stdout(`operation ${op.id}: syncing ${op.revision}\n`);
        started = true;
      }
      for (const t of op.tasks ?? []) {
        const state = `${t.status}${t.message ? `: ${t.message}` : ''}`;
        if (seen.get(`${t.phase}/${t.key}`) !== state) {
          seen.set(`${t.phase}/${t.key}`, state);
          io.stdout(`  ${t.phase.padEnd(8)} wave ${String(t.wave).padStart(2)}  ${t.hookName ?? t.key}  ${state}\n`);
        }
      }
      // Finished, and (for a success) recorded in the history: the status is final.
      const recorded = op.phase === 'Failed' || env.status?.history?.[0]?.operationId === op.id;
      if ((op.phase === 'Succeeded' || op.phase === 'Failed') && recorded) {
        const health = env.status?.health?.status ?? 'Unknown';
        io.stdout(
          `${op.phase === 'Succeeded' ? 'synced' : 'sync failed'}: ${op.revision}; health ${health}${op.message ? ` — ${op.message}` : ''}\n`,
        );
        return op.phase === 'Succeeded' ? 0 : 1;
      }
    }
    await sleep(300);
  }
  io.stderr(
    `timed out after ${Math.round(timeoutMs / 1000)}s waiting for the sync of ${cluster.namespace}/${name}${started ? '' : ' to start (is the operator running?)'}\n`,
  );
  return 1;
}
