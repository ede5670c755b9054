// `keelson windows <env>`: the sync windows of an Environment (its own and the SyncWindow
// objects that select it), whether each is open, when it next opens or closes, and what they
// decide together: whether a sync may start now and when that changes.
import { syncWindowSources } from '../core/environment/sync-window-sources.ts';
import { evaluateSyncWindows, parseSyncWindows, SyncWindowError } from '../core/environment/sync-windows.ts';
import { formatDuration } from '../core/duration.ts';
import { CLUSTER_OPTIONS, checkOutput, parseCommandArgs, type Command } from './command.ts';
import { connect } from './cluster.ts';
import { render, table } from './format.ts';

export const windowsCommand: Command = {
  name: 'windows',
  summary: 'Show the sync windows of an Environment and when the next one opens or closes',
  usage: 'keelson windows <environment> [-n <namespace>] [-o json|yaml]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, CLUSTER_OPTIONS, { min: 1, max: 1 });
    const output = checkOutput(values.output);
    const cluster = connect(values, io);
    const env = await cluster.resources.getEnvironment(cluster.namespace, positionals[0]!);
    const sources = syncWindowSources(
      { namespace: env.metadata.namespace, labels: env.metadata.labels, windows: env.spec.sync?.windows },
      await cluster.resources.listSyncWindows(cluster.namespace),
    );
    if (sources.length === 0) {
      io.stdout(`${cluster.namespace}/${env.metadata.name} has no sync windows: syncs may start at any time.\n`);
      return 0;
    }
    let parsed;
    try {
      parsed = parseSyncWindows(sources);
    } catch (err) {
      if (!(err instanceof SyncWindowError)) throw err;
      io.stderr(`invalid sync window: ${err.message}\n`);
      return 1;
    }
    const now = Date.now();
    const state = evaluateSyncWindows(parsed, now);
    const rows = parsed.map((w) => {
      const alone = evaluateSyncWindows([w], now);
      const open = alone.activeWindows.length > 0;
      return { ...w.source, open, next: alone.nextChange, rule: w.source.rule };
    });
    if (output) {
      io.stdout(render({ ...state, windows: rows.map(({ field: _field, ...r }) => r) }, output));
      return 0;
    }
    const when = (t: number | undefined) =>
      t === undefined ? 'not within 8 days' : `${new Date(t).toISOString()} (in ${formatDuration(t - now)})`;
    io.stdout(
      table(
        ['NAME', 'KIND', 'SCHEDULE', 'DURATION', 'TIME ZONE', 'MANUAL SYNC', 'OPEN', 'NEXT OPENS/CLOSES'],
        rows.map((r) => [
          r.name,
          r.rule.kind,
          r.rule.schedule,
          r.rule.duration,
          r.rule.timeZone ?? 'UTC',
          r.rule.manualSync ? 'yes' : 'no',
          r.open ? 'yes' : 'no',
          `${r.open ? 'closes' : 'opens'} ${when(r.next)}`,
        ]),
      ),
    );
    const verdict = state.allowed ? 'syncs may start' : 'automated syncs are blocked';
    const manual = state.allowed ? '' : state.manualAllowed ? '; manual syncs may start' : '; manual syncs too';
    io.stdout(`\nnow: ${verdict}${manual} (${state.reason})\n`);
    io.stdout(`${state.allowed ? 'blocked' : 'allowed'} from: ${when(state.nextChange)}\n`);
    return 0;
  },
};
