// A page's buttons that POST and say how it went: one at a time, a notice on success, the
// server's error otherwise.
import { useState } from 'preact/hooks';
import { errorText, post } from './api.ts';

export interface Act {
  readonly busy: boolean;
  readonly notice: string | undefined;
  readonly error: string | undefined;
  setNotice(notice: string | undefined): void;
  setError(error: string | undefined): void;
  /** POSTs to `path`; `done` is the notice after it, `what` prefixes an error. */
  run(what: string, path: string, done: string): Promise<void>;
}

export function useAct(): Act {
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const run = async (what: string, path: string, done: string) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await post(path);
      setNotice(done);
    } catch (err) {
      setError(`${what}: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return { busy, notice, error, setNotice, setError, run };
}
