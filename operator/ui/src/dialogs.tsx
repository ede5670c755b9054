// The SYNC dialog (revision, prune, a preview of the diff) and the rollback confirmation.
import { useEffect, useState } from 'preact/hooks';
import { envPath, errorText, post, request } from './api.ts';
import { DiffView } from './diff-view.tsx';
import { shortRevision } from './format.ts';
import type { HistoryEntry } from './types.ts';
import { Dialog, ErrorBox } from './ui.tsx';

const COMMIT = /^[0-9a-f]{40}$/;

export function SyncDialog(props: {
  namespace: string;
  name: string;
  onClose: () => void;
  onDone: (what: string) => void;
}) {
  const [which, setWhich] = useState<'latest' | 'commit'>('latest');
  const [commit, setCommit] = useState('');
  // As `keelson sync`: a person's sync makes the cluster what the revision says, prune included.
  const [prune, setPrune] = useState(true);
  const [preview, setPreview] = useState<string>();
  const [previewError, setPreviewError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    request<string>('GET', envPath(props.namespace, props.name, 'diff'), { text: true })
      .then(setPreview)
      .catch((err: unknown) => setPreviewError(errorText(err)));
  }, []);

  const commitInvalid = which === 'commit' && !COMMIT.test(commit.trim());
  const submit = async (e: Event) => {
    e.preventDefault();
    if (commitInvalid) {
      setError('A commit is its full id: 40 hexadecimal digits.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await post(envPath(props.namespace, props.name, 'sync'), {
        ...(which === 'commit' ? { revision: commit.trim() } : {}),
        prune,
      });
      props.onDone(which === 'commit' ? `Sync to ${commit.trim().slice(0, 7)} requested.` : 'Sync requested.');
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Sync ${props.namespace}/${props.name}`} onClose={props.onClose} wide>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Revision</legend>
          <label class="check">
            <input type="radio" name="which" checked={which === 'latest'} onChange={() => setWhich('latest')} />
            The latest revision of the repository
          </label>
          <label class="check">
            <input type="radio" name="which" checked={which === 'commit'} onChange={() => setWhich('commit')} />A commit
          </label>
          {which === 'commit' ? (
            <div class="field">
              <label for="commit">Commit id (40 hex digits)</label>
              <input
                id="commit"
                value={commit}
                spellcheck={false}
                autoComplete="off"
                aria-invalid={commit !== '' && commitInvalid}
                onInput={(e) => setCommit(e.currentTarget.value)}
              />
            </div>
          ) : null}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.currentTarget.checked)} />
          Prune: delete the objects the environment no longer declares
        </label>
        <h3>Preview</h3>
        {which === 'commit' ? (
          <p class="help">The preview compares with the latest revision, not this commit.</p>
        ) : null}
        {previewError ? (
          <p class="help">No preview: {previewError}</p>
        ) : preview === undefined ? (
          <p class="loading">Loading the diff…</p>
        ) : (
          <DiffView text={preview} idPrefix="preview" />
        )}
        <ErrorBox error={error} />
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Requesting…' : 'Sync'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function RollbackDialog(props: {
  namespace: string;
  name: string;
  entry: HistoryEntry;
  onClose: () => void;
  onDone: (what: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await post(
        envPath(props.namespace, props.name, 'rollback'),
        props.entry.id !== undefined ? { id: props.entry.id } : {},
      );
      props.onDone(`Rollback to ${shortRevision(props.entry.revision)} requested.`);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Roll back to ${shortRevision(props.entry.revision)}?`} onClose={props.onClose}>
      <p class="warning" role="note">
        A rollback pauses automated sync until you resume it.
      </p>
      <p>
        {props.namespace}/{props.name} goes back to <code>{props.entry.revision}</code>
        {props.entry.id !== undefined ? ` (history entry ${props.entry.id})` : ''}.
      </p>
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="primary danger" disabled={busy} onClick={confirm}>
          {busy ? 'Requesting…' : 'Roll back'}
        </button>
      </div>
    </Dialog>
  );
}
