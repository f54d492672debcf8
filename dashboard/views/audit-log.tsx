import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { AuditEntry, TenantRow } from '../api';
import type { Dashboard } from '../state';
import { Alert, Time } from './bits';

/** Who did what to whom in a tenant, newest first. */
export function AuditLog({ d, tenant }: { d: Dashboard; tenant: Pick<TenantRow, 'tenantId' | 'name'> }) {
  const entries = useSignal<AuditEntry[] | null>(null);
  const error = useSignal('');
  useEffect(() => {
    void d.audit(tenant.tenantId).then((r) => {
      if (r.ok) entries.value = r.data.entries;
      error.value = r.ok ? '' : r.error.message;
    });
  }, [tenant.tenantId]);
  return (
    <section aria-label={`Audit log of ${tenant.name}`}>
      {entries.value && (
        <table>
          <caption>Audit log</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Target</th>
            </tr>
          </thead>
          <tbody>
            {entries.value.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>
                  <Time ms={e.ts} />
                </td>
                <td>{e.actorName}</td>
                <td>{e.action}</td>
                <td>{e.target}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries.value && !entries.value.length && <p class="hint">Nothing yet.</p>}
      <Alert message={error.value} />
    </section>
  );
}
