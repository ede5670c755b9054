// The sync operation as it runs: what it waits for, then its phases, waves and tasks.
import { shortRevision } from './format.ts';
import { hasHookLogs, HookLogs } from './hook-logs.tsx';
import { groupTasks, progress, taskTarget, waitingFor } from './operation.ts';
import { initiator } from './sections.tsx';
import type { Operation } from './types.ts';
import { Age, Status } from './ui.tsx';

/** The operation of Environment `namespace`/`name` (the logs of its failed hooks are read there). */
export function OperationView(props: {
  operation: Operation | undefined;
  now: number;
  namespace: string;
  name: string;
}) {
  const op = props.operation;
  if (!op) return <p class="empty">No sync has run yet.</p>;
  const waits = waitingFor(op);
  const tasks = op.tasks ?? [];
  const by = initiator(op.initiatedBy);
  return (
    <div class="operation">
      <p class="op-summary">
        <Status value={op.phase} label="Operation" /> sync to{' '}
        <code title={op.revision}>{shortRevision(op.revision)}</code>
        {by ? <> by {by}</> : null}, started <Age at={op.startedAt} now={props.now} />
        {op.finishedAt ? (
          <>
            , finished <Age at={op.finishedAt} now={props.now} />
          </>
        ) : null}
        {tasks.length ? <> · {progress(tasks)}</> : null}
      </p>
      <div aria-live="polite">
        {waits ? (
          <p class="waits">
            <strong>Now:</strong> {waits}
          </p>
        ) : op.phase === 'Failed' ? (
          <p class="result bad">
            <strong>Failed:</strong> {op.failure ?? op.message ?? 'the sync failed'}
          </p>
        ) : op.phase === 'Succeeded' ? (
          <p class="result good">
            <strong>Succeeded.</strong> {op.message ?? ''}
          </p>
        ) : null}
      </div>
      {groupTasks(tasks).map((phase) => (
        <section class="phase" key={phase.phase} aria-label={`Phase ${phase.phase}`}>
          <h3>{phase.phase}</h3>
          {phase.waves.map((wave) => (
            <div class="wave" key={wave.wave}>
              <h4>Wave {wave.wave}</h4>
              <ul class="tasks">
                {wave.tasks.map((t) => (
                  <li key={t.key + (t.hookName ?? '')} class={`task task-${t.status.toLowerCase()}`}>
                    <Status value={t.status} />
                    <span class="target">{taskTarget(t)}</span>
                    {t.message ? <span class="task-message">{t.message}</span> : null}
                    {hasHookLogs(t) ? (
                      <HookLogs namespace={props.namespace} name={props.name} job={t.hookName!} />
                    ) : null}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}
