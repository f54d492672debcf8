import { useSignal } from '@preact/signals';
import type { TenantInfo } from '../api';
import type { Dashboard } from '../state';
import { Alert, Time } from './bits';

/** A tenant's secret keys by prefix, with revoke (after a confirm) for the active ones. */
export function SecretKeys({ d, tenant }: { d: Dashboard; tenant: TenantInfo }) {
  const error = useSignal('');
  const revoke = async (prefix: string) => {
    if (!confirm(`Revoke secret key ${prefix}… of ${tenant.name}? Backends using it stop working at once.`)) return;
    const err = await d.revokeKey(tenant.tenantId, prefix);
    error.value = err ? err.message : '';
  };
  return (
    <>
      <table>
        <caption>Secret keys</caption>
        <thead>
          <tr>
            <th scope="col">Prefix</th>
            <th scope="col">Created</th>
            <th scope="col">Revoked</th>
            <th scope="col">
              <span class="sr">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tenant.secretKeys.map((k) => (
            <tr key={k.prefix} data-prefix={k.prefix}>
              <th scope="row">
                <code>{k.prefix}</code>
              </th>
              <td><Time ms={k.createdAt} /></td>
              <td class="revoked">{k.revokedAt ? <Time ms={k.revokedAt} /> : 'Active'}</td>
              <td>
                {!k.revokedAt && (
                  <button type="button" class="quiet" aria-label={`Revoke key ${k.prefix}`} onClick={() => revoke(k.prefix)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Alert message={error.value} />
    </>
  );
}
