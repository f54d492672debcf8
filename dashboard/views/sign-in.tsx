import type { Dashboard } from '../state';
import { formValues } from './form-values';
import { Alert } from './bits';

/** Email and password; shows why the last attempt or session ended. */
export function SignIn({ d }: { d: Dashboard }) {
  const s = d.session.value;
  const busy = s.state === 'signingIn';
  const message = s.state === 'signedOut' ? s.message : '';
  return (
    <main class="signin">
      <h1>Parley dashboard</h1>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget);
          void d.signIn(v.text('email'), String(new FormData(e.currentTarget).get('password') ?? ''));
        }}
      >
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required aria-invalid={message ? 'true' : undefined} />
        <Alert message={message} />
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </main>
  );
}
