// The login form: a bearer token the operator checks (TokenReview) and keeps server-side;
// the page never stores it.
import { useState } from 'preact/hooks';
import { errorText, login } from './api.ts';
import type { Session } from './types.ts';
import { ErrorBox } from './ui.tsx';

export function Login(props: { onLogin: (session: Session) => void; notice?: string }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!token.trim()) {
      setError('Paste a token first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const session = await login(token.trim());
      setToken('');
      props.onLogin(session);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <h1 tabIndex={-1}>Sign in to Keelson</h1>
      {props.notice ? <p class="notice">{props.notice}</p> : null}
      <form onSubmit={submit} class="card">
        <label for="token">Kubernetes bearer token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby="token-help"
          required
        />
        <div id="token-help" class="help">
          <p>
            Keelson uses your Kubernetes access: what you may see and do is what RBAC allows the token. Get a
            ServiceAccount token with
          </p>
          <pre>
            <code>kubectl create token &lt;serviceaccount&gt; -n &lt;namespace&gt;</code>
          </pre>
          <p>
            or paste an OIDC ID token your API server accepts. The token stays on the operator, not in this browser.
          </p>
        </div>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
