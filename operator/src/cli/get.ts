// `keelson get <env>`: sync, health, conditions, apps, resources and the last operation.
import type { EnvironmentResource } from '../adapters/kubernetes/keelson-resources.ts';
import { CLUSTER_OPTIONS, checkOutput, parseCommandArgs, type Command } from './command.ts';
import { connect } from './cluster.ts';
import { age, render, table } from './format.ts';

export const getCommand: Command = {
  name: 'get',
  summary: 'Show one Environment: sync, health, apps, resources, last operation',
  usage: 'keelson get <environment> [-n <namespace>] [-o json|yaml]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, CLUSTER_OPTIONS, { min: 1, max: 1 });
    const output = checkOutput(values.output);
    const cluster = connect(values, io);
    const env = await cluster.resources.getEnvironment(cluster.namespace, positionals[0]!);
    io.stdout(output ? render(env, output) : describeEnvironment(env, Date.now()));
    return 0;
  },
};

export function describeEnvironment(env: EnvironmentResource, now: number): string {
  const s = env.status ?? {};
  const lines: string[] = [
    `Name:          ${env.metadata.name}`,
    `Namespace:     ${env.metadata.namespace}`,
    `Source:        GitRepository ${env.spec.sourceRef.name}, path ${env.spec.path ?? '.'}, environment ${env.spec.environment}`,
    `Sync policy:   ${env.spec.suspend ? 'suspended' : env.spec.sync?.automated ? `automated (prune: ${env.spec.sync.automated.prune ?? false}, selfHeal: ${env.spec.sync.automated.selfHeal ?? false})` : 'manual'}`,
    `Sync:          ${s.sync?.status ?? 'Unknown'}${s.sync?.revision ? ` to ${s.sync.revision}` : ''}`,
    `Health:        ${s.health?.status ?? 'Unknown'}${s.health?.message ? ` (${s.health.message})` : ''}`,
  ];
  // With sharding (ADR 0023): the replica whose shard it is, as of its last reconcile.
  if (s.reconciledBy) lines.push(`Reconciled by: ${s.reconciledBy.replica} (shard ${s.reconciledBy.shard})`);
  if (s.conditions?.length) {
    lines.push('', 'Conditions:');
    lines.push(
      indent(
        table(
          ['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'],
          s.conditions.map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime, now), c.message]),
        ),
        2,
      ),
    );
  }
  if (s.apps?.length) {
    lines.push('Apps:');
    lines.push(
      indent(
        table(
          ['APP', 'SYNC', 'HEALTH', 'RESOURCES'],
          s.apps.map((a) => [a.name, a.sync, a.health, String(a.resources)]),
        ),
        2,
      ),
    );
  }
  if (s.resources?.length) {
    lines.push('Resources:');
    lines.push(
      indent(
        table(
          ['KIND', 'NAMESPACE', 'NAME', 'WAVE', 'SYNC', 'HEALTH', 'MESSAGE'],
          s.resources.map((r) => [
            r.hook ? `${r.kind} (${r.hook} hook)` : r.kind,
            r.namespace ?? '',
            r.name,
            String(r.wave ?? 0),
            r.sync ?? '',
            r.health ?? '',
            r.message ?? '',
          ]),
        ),
        2,
      ),
    );
  }
  if (s.retained?.length) {
    lines.push('Left in place (not deleted by the last prune or deletion):');
    const rows = s.retained.map((r) => [r.kind, r.namespace ?? '', r.name, r.reason, r.message]);
    lines.push(indent(table(['KIND', 'NAMESPACE', 'NAME', 'REASON', 'MESSAGE'], rows), 2));
  }
  const op = s.operation;
  if (op) {
    lines.push(
      `Last operation: ${op.phase} — sync of ${op.revision}, started ${age(op.startedAt, now)} ago${op.finishedAt ? `, finished ${age(op.finishedAt, now)} ago` : ''}${op.initiatedBy?.username ? ` by ${op.initiatedBy.username}` : op.initiatedBy?.automated ? ' (automated)' : ''}`,
    );
    if (op.message) lines.push(`  ${op.message}`);
    if (op.tasks?.length) {
      lines.push(
        indent(
          table(
            ['PHASE', 'WAVE', 'OBJECT', 'STATUS', 'MESSAGE'],
            op.tasks.map((t) => [
              t.phase,
              String(t.wave),
              t.hookName ? `${t.key} (${t.hookName})` : t.key,
              t.status,
              t.message ?? '',
            ]),
          ),
          2,
        ),
      );
    }
  }
  return lines.join('\n').trimEnd() + '\n';
}

function indent(text: string, n: number): string {
  return (
    text
      .trimEnd()
      .split('\n')
      .map((l) => ' '.repeat(n) + l)
      .join('\n') + '\n'
  );
}
