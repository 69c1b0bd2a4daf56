import { useState } from 'preact/hooks';
import { SETTINGS } from '../settings';
import { Notice, problemText } from '../ui';

/**
 * The sign-in form. Outside checks rely on its shape: `input[name=token]` in a form with a submit button. The
 * token is checked against the API before it is kept (in sessionStorage, for this tab only).
 */
export function SignIn(props: { onSignIn: (token: string) => Promise<void>; reason?: string }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  return (
    <main class="sign-in">
      <h1>{SETTINGS.name} console</h1>
      {props.reason !== undefined && problem === undefined && <Notice kind="info">{props.reason}</Notice>}
      {problem !== undefined && <Notice kind="error">{problem}</Notice>}
      <form
        aria-label="Sign in"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setProblem(undefined);
          props
            .onSignIn(token.trim())
            .catch((error: unknown) => setProblem(`Could not sign in: ${problemText(error)}`))
            .finally(() => setBusy(false));
        }}
      >
        <label for="token">Editor token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          aria-describedby="token-hint"
        />
        <p id="token-hint" class="hint">
          The token an admin gave you (<code>dispatch editors create</code>). It stays in this tab and is forgotten when
          you sign out or close it.
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
