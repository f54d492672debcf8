import type { Dashboard } from '../state';
import { TenantCard } from './tenant-card';
import { Alert } from './bits';

/** Every tenant, newest state from the server. */
export function TenantList({ d }: { d: Dashboard }) {
  const list = d.tenants.value;
  return (
    <section aria-labelledby="tenants-title">
      <div class="row spread">
        <h2 id="tenants-title">Tenants{list ? ` (${list.length})` : ''}</h2>
        <button type="button" class="quiet" onClick={() => d.refresh()}>
          Reload
        </button>
      </div>
      <Alert message={d.listError.value} />
      {!list ? (
        <p aria-busy="true">Loading…</p>
      ) : list.length ? (
        list.map((t) => <TenantCard key={t.tenantId} d={d} tenant={t} />)
      ) : (
        <p>No tenants yet.</p>
      )}
    </section>
  );
}
