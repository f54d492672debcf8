import { useSignal } from '@preact/signals';
import type { Dashboard } from '../state';
import { Alert } from './bits';

const ROLE_WORDS = { owner: 'an owner', admin: 'an admin', moderator: 'a moderator' };

/** An invitation link: says what it is for, then asks for a new password (or the account's own). */
export function AcceptInvite({ d, token }: { d: Dashboard; token: string }) {
  const s = d.session.value;
  const error = useSignal('');
  const busy = useSignal(false);
  if (s.state !== 'invited') return null;
  const info = s.info;
  if (!info)
    return (
      <main class="signin">
        <h1>Parley dashboard</h1>
        {s.message ? <Alert message={s.message} /> : <p aria-busy="true">Reading the invitation…</p>}
      </main>
    );
  return (
    <main class="signin">
      <h1>Join {info.tenantName}</h1>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const pw = String(data.get('password') ?? '');
          if (!info.hasAccount && pw !== String(data.get('confirm') ?? '')) return void (error.value = 'The two passwords differ.');
          busy.value = true;
          const err = await d.acceptInvite(token, pw);
          busy.value = false;
          error.value = err ? err.message : '';
        }}
      >
        <p>
          {info.email} is invited to {info.tenantName} as {ROLE_WORDS[info.role]}.{' '}
          {info.hasAccount ? 'Enter the password of your account to accept.' : 'Choose a password (at least 10 characters) to make your account.'}
        </p>
        <input type="email" name="email" value={info.email} autoComplete="username" readOnly hidden />
        <label for="invite-password">{info.hasAccount ? 'Password' : 'New password'}</label>
        <input id="invite-password" name="password" type="password" autoComplete={info.hasAccount ? 'current-password' : 'new-password'} required minLength={info.hasAccount ? undefined : 10} />
        {!info.hasAccount && (
          <>
            <label for="invite-confirm">Repeat the password</label>
            <input id="invite-confirm" name="confirm" type="password" autoComplete="new-password" required />
          </>
        )}
        <Alert message={error.value} />
        <div>
          <button type="submit" disabled={busy.value}>
            Accept invitation
          </button>
        </div>
      </form>
    </main>
  );
}
