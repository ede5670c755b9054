// The logs of a failed hook's pod, in the operation view: a Logs button that opens the end of
// each container's log (GET …/hooklogs?job=<Job>), or what kept them from being read.
import { useEffect, useRef, useState } from 'preact/hooks';
import { envPath, errorText, get } from './api.ts';
import type { OperationTask } from './types.ts';

/** The answer of GET …/environments/<name>/hooklogs (core/environment/hook-logs.ts' HookLogs). */
interface HookLogsAnswer {
  readonly job: string;
  readonly namespace: string;
  readonly pod: string;
  readonly podPhase: string;
  readonly tailLines: number;
  readonly containers: readonly {
    readonly container: string;
    readonly lines: readonly string[];
    readonly truncated: boolean;
    readonly error?: string;
  }[];
}

type LogsState = { loading: true } | { logs: HookLogsAnswer } | { error: string } | undefined;

/** A hook Job whose task failed: its pod's logs say why. */
export function hasHookLogs(task: OperationTask): boolean {
  const [group, kind] = task.key.split('/');
  return Boolean(task.hookName) && task.status === 'Failed' && group === 'batch' && (task.kind ?? kind) === 'Job';
}

export function HookLogs(props: { namespace: string; name: string; job: string }) {
  const { namespace, name, job } = props;
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<LogsState>();
  const id = `logs-${job}`;
  const load = () => {
    setState({ loading: true });
    get<HookLogsAnswer>(envPath(namespace, name, `hooklogs?job=${encodeURIComponent(job)}`))
      .then((logs) => setState({ logs }))
      .catch((err: unknown) => setState({ error: errorText(err) }));
  };
  const toggle = () => {
    if (!open && !state) load();
    setOpen(!open);
  };
  return (
    <div class="hook-logs">
      <div class="hook-logs-bar">
        <button type="button" aria-expanded={open} aria-controls={id} onClick={toggle}>
          Logs
        </button>
        {open && state && !('loading' in state) ? (
          <button type="button" class="link-button" onClick={load}>
            Reload
          </button>
        ) : null}
      </div>
      {open ? (
        <div id={id} role="region" aria-label={`Logs of hook Job ${job}`} aria-live="polite">
          {!state || 'loading' in state ? (
            <p class="loading">Loading the logs…</p>
          ) : 'error' in state ? (
            <p class="error-inline" role="alert">
              No logs: {state.error}
            </p>
          ) : (
            <PodLogs logs={state.logs} />
          )}
        </div>
      ) : null}
    </div>
  );
}

function PodLogs(props: { logs: HookLogsAnswer }) {
  const { logs } = props;
  return (
    <>
      <p class="help">
        Pod <code>{logs.pod}</code> ({logs.podPhase}): the end of each container's log, at most {logs.tailLines} lines:
      </p>
      {logs.containers.map((c) => (
        <div key={c.container}>
          <h5 class="log-head">
            Container <code>{c.container}</code>
            {c.truncated ? <span class="tag">earlier lines left out</span> : null}
          </h5>
          {c.error !== undefined ? (
            <p class="error-inline">No logs: {c.error}</p>
          ) : c.lines.length === 0 ? (
            <p class="empty">The log is empty.</p>
          ) : (
            <LogText lines={c.lines} label={`Log of container ${c.container}`} />
          )}
        </div>
      ))}
    </>
  );
}

/** The lines, scrolled to the newest; focusable, so the keyboard scrolls it too. */
function LogText(props: { lines: readonly string[]; label: string }) {
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [props.lines]);
  return (
    <pre class="log" ref={ref} tabIndex={0} aria-label={props.label}>
      {props.lines.join('\n')}
    </pre>
  );
}
