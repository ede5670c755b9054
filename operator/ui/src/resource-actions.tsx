// Resource actions on the rows of the Resources section: a disclosure button per row that
// lists the actions its kind takes (the operator's own table, core/actions/catalog.ts), and
// the dialog that confirms one (scale asks for a replica count) and POSTs it to …/actions.
import { useState } from 'preact/hooks';
import { envPath, errorText, post } from './api.ts';
import { actionsFor, MAX_REPLICAS, replicasProblem, type ActionName } from '../../src/core/actions/catalog.ts';
import type { ResourceStatus } from './types.ts';
import { Dialog, ErrorBox } from './ui.tsx';

const LABELS: Record<ActionName, string> = {
  restart: 'Restart',
  scale: 'Scale…',
  suspend: 'Suspend',
  resume: 'Resume',
  retry: 'Retry hook',
};

const EXPLAIN: Record<ActionName, string> = {
  restart: 'Its pods are replaced one by one, as kubectl rollout restart does.',
  scale: '',
  suspend: 'No new Jobs are scheduled until it is resumed.',
  resume: 'Jobs are scheduled again.',
  retry: 'A new sync of the revision that failed runs this hook again.',
};

/** The actions a row offers: retry only on hook objects. */
export function rowActions(r: ResourceStatus): ActionName[] {
  return actionsFor(r.group ?? '', r.kind).filter((a) => a !== 'retry' || Boolean(r.hook));
}

export function ActionsMenu(props: { resource: ResourceStatus; onPick: (action: ActionName) => void }) {
  const [open, setOpen] = useState(false);
  const actions = rowActions(props.resource);
  if (actions.length === 0) return null;
  const id = `actions-${props.resource.namespace ?? ''}-${props.resource.kind}-${props.resource.name}`;
  return (
    <div
      class="menu"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <button type="button" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        Actions
        <span class="sr-only">
          {' '}
          on {props.resource.kind}/{props.resource.name}
        </span>
      </button>
      {open ? (
        <ul id={id} class="menu-list">
          {actions.map((a) => (
            <li key={a}>
              <button
                type="button"
                onClick={() => {
                  setOpen(false);
                  props.onPick(a);
                }}
              >
                {LABELS[a]}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function ResourceActionDialog(props: {
  namespace: string;
  name: string;
  resource: ResourceStatus;
  action: ActionName;
  onClose: () => void;
  onDone: (what: string) => void;
}) {
  const { resource, action } = props;
  const [replicas, setReplicas] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const what = `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
  const count = /^\d+$/.test(replicas.trim()) ? Number(replicas.trim()) : undefined;
  const submit = async (e: Event) => {
    e.preventDefault();
    const problem = action === 'scale' ? replicasProblem(count) : undefined;
    if (problem) {
      setError(`A replica count is a whole number from 0 to ${MAX_REPLICAS}.`);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const done = await post<{ message: string }>(envPath(props.namespace, props.name, 'actions'), {
        action,
        kind: resource.kind,
        name: resource.name,
        namespace: resource.namespace,
        group: resource.group ?? '',
        replicas: action === 'scale' ? count : undefined,
      });
      props.onDone(`Done: ${done.message}.`);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={`${LABELS[action].replace('…', '')} ${what}?`} onClose={props.onClose}>
      <form onSubmit={submit}>
        {action === 'scale' ? (
          <div class="field">
            <label for="replicas">Replicas</label>
            <input
              id="replicas"
              type="number"
              min={0}
              max={MAX_REPLICAS}
              step={1}
              inputMode="numeric"
              required
              value={replicas}
              aria-invalid={replicas !== '' && replicasProblem(count) !== undefined}
              aria-describedby="replicas-help"
              onInput={(e) => setReplicas(e.currentTarget.value)}
            />
            <p class="help" id="replicas-help">
              When the deploy repository sets the replicas, automated self-heal puts them back.
            </p>
          </div>
        ) : (
          <p>{EXPLAIN[action]}</p>
        )}
        <ErrorBox error={error} />
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Running…' : LABELS[action].replace('…', '')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
