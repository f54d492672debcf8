import type { Dashboard } from '../state';
import { AcceptInvite } from './accept-invite';
import { CreateTenant } from './create-tenant';
import { SecretNotice } from './secret-notice';
import { SignIn } from './sign-in';
import { TenantList } from './tenant-list';

/** The whole dashboard: an invitation, sign-in, or the tenants the account may see. */
export function App({ d }: { d: Dashboard }) {
  const s = d.session.value;
  if (s.state === 'loading') return <p aria-busy="true">Loading…</p>;
  if (s.state === 'invited') return <AcceptInvite d={d} token={s.token} />;
  if (s.state !== 'signedIn') return <SignIn d={d} />;
  return (
    <>
      <header class="top">
        <h1>Parley dashboard</h1>
        <div class="row">
          <span class="hint">
            {s.me.email}
            {s.me.operator ? ' (operator)' : ''}
          </span>
          <button type="button" class="quiet" onClick={() => d.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        <SecretNotice d={d} />
        <TenantList d={d} />
        {s.me.operator && <CreateTenant d={d} />}
      </main>
    </>
  );
}
