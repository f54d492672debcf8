import type { Dashboard } from '../state';
import { formValues } from './form-values';
import { Alert } from './bits';

/** Asks for the admin token; shows why the last attempt or session ended. */
export function SignIn({ d }: { d: Dashboard }) {
  const s = d.session.value;
  const busy = s.state === 'signingIn';
  const message = s.state === 'signedOut' ? s.message : '';
  return (
    <main class="signin">
      <h1>Parley dashboard</h1>
      <form
        aria-describedby="signin-hint"
        onSubmit={(e) => {
          e.preventDefault();
          void d.signIn(formValues(e.currentTarget).text('token'));
        }}
      >
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autoComplete="off" required aria-invalid={message ? 'true' : undefined} />
        <p id="signin-hint" class="hint">
          The server's PARLEY_ADMIN_TOKEN, printed when it first started. It is kept in this browser tab only.
        </p>
        <Alert message={message} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
