// `keelson list [-A] [-n ns] [-o json|yaml]`: every Environment with its sync and health.
import { CLUSTER_OPTIONS, checkOutput, parseCommandArgs, type Command } from './command.ts';
import { connect } from './cluster.ts';
import { age, render, shortRevision, table } from './format.ts';
import { ANNOTATION_AUTO_SYNC_PAUSED } from '../core/keys.ts';
import type { EnvironmentResource } from '../adapters/kubernetes/keelson-resources.ts';

export const listCommand: Command = {
  name: 'list',
  summary: 'List Environments with their sync status, health and revision',
  usage: 'keelson list [-n <namespace> | -A] [-o json|yaml]',
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      { ...CLUSTER_OPTIONS, 'all-namespaces': { type: 'boolean', short: 'A' } },
      { min: 0, max: 0 },
    );
    const output = checkOutput(values.output);
    const cluster = connect(values, io);
    const envs = await cluster.resources.listEnvironments(values['all-namespaces'] ? undefined : cluster.namespace);
    if (output) {
      io.stdout(render({ apiVersion: 'v1', kind: 'List', items: envs }, output));
      return 0;
    }
    if (envs.length === 0) {
      io.stderr(`No Environments found${values['all-namespaces'] ? '' : ` in namespace ${cluster.namespace}`}.\n`);
      return 0;
    }
    const now = Date.now();
    const all = Boolean(values['all-namespaces']);
    const header = [
      ...(all ? ['NAMESPACE'] : []),
      'NAME',
      'SYNC',
      'HEALTH',
      'REVISION',
      'AUTO-SYNC',
      'LAST SYNC',
      'AGE',
    ];
    const rows = envs.map((e) => [
      ...(all ? [e.metadata.namespace] : []),
      e.metadata.name,
      e.status?.sync?.status ?? 'Unknown',
      e.status?.health?.status ?? 'Unknown',
      shortRevision(e.status?.sync?.revision),
      autoSyncOf(e),
      e.status?.operation
        ? `${e.status.operation.phase} ${age(e.status.operation.finishedAt ?? e.status.operation.startedAt, now)} ago`
        : '-',
      age(e.metadata.creationTimestamp, now),
    ]);
    io.stdout(table(header, rows));
    return 0;
  },
};

/** AUTO-SYNC: suspended, paused (a rollback paused automated sync), on, or manual. */
export function autoSyncOf(env: Pick<EnvironmentResource, 'metadata' | 'spec'>): string {
  if (env.spec.suspend) return 'suspended';
  if (!env.spec.sync?.automated) return 'manual';
  return env.metadata.annotations?.[ANNOTATION_AUTO_SYNC_PAUSED] ? 'paused' : 'on';
}
