import type { Dashboard } from '../state';
import { CreateTenant } from './create-tenant';
import { SecretNotice } from './secret-notice';
import { SignIn } from './sign-in';
import { TenantList } from './tenant-list';

/** The whole dashboard: sign-in until a token works, then the tenants. */
export function App({ d }: { d: Dashboard }) {
  if (d.session.value.state !== 'signedIn') return <SignIn d={d} />;
  return (
    <>
      <header class="top">
        <h1>Parley dashboard</h1>
        <button type="button" class="quiet" onClick={() => d.signOut()}>
          Sign out
        </button>
      </header>
      <main>
        <SecretNotice d={d} />
        <TenantList d={d} />
        <CreateTenant d={d} />
      </main>
    </>
  );
}
