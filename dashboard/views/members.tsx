import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { Members as MemberList, Role, TenantRow } from '../api';
import type { Dashboard } from '../state';
import { formValues } from './form-values';
import { Alert, Time } from './bits';

/**
 * A tenant's members and open invitations (owners only), and the form to invite someone: the
 * server makes a one-time link, shown here to pass on (Parley sends no mail).
 */
export function Members({ d, tenant }: { d: Dashboard; tenant: Pick<TenantRow, 'tenantId' | 'name'> }) {
  const list = useSignal<MemberList | null>(null);
  const error = useSignal('');
  const link = useSignal<{ email: string; url: string } | null>(null);

  const load = async () => {
    const r = await d.members(tenant.tenantId);
    if (r.ok) list.value = r.data;
    error.value = r.ok ? '' : r.error.message;
  };
  useEffect(() => void load(), [tenant.tenantId]);

  const remove = async (accountId: string, email: string) => {
    if (!confirm(`Remove ${email} from ${tenant.name}? They lose access at once.`)) return;
    const err = await d.removeMember(tenant.tenantId, accountId);
    error.value = err ? err.message : '';
    if (!err) await load();
  };

  return (
    <section class="stack" aria-label={`Members of ${tenant.name}`}>
      {list.value && (
        <table>
          <caption>Members</caption>
          <tbody>
            {list.value.members.map((m) => (
              <tr key={m.accountId} data-member={m.email}>
                <th scope="row">{m.email}</th>
                <td>{m.role}</td>
                <td>
                  <button type="button" class="quiet" onClick={() => remove(m.accountId, m.email)}>
                    Remove {m.email}
                  </button>
                </td>
              </tr>
            ))}
            {list.value.invites.map((i) => (
              <tr key={`invite-${i.email}-${i.createdAt}`}>
                <th scope="row">{i.email}</th>
                <td>{i.role}, invited</td>
                <td>
                  link valid until <Time ms={i.expiresAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="row"
        aria-label={`Invite to ${tenant.name}`}
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const v = formValues(form);
          const r = await d.invite(tenant.tenantId, v.text('email'), v.text('role') as Role);
          error.value = r.ok ? '' : r.error.message;
          if (!r.ok) return;
          link.value = { email: r.data.email, url: `${location.origin}${r.data.link}` };
          form.reset();
          await load();
        }}
      >
        <label for={`${tenant.tenantId}-invite-email`}>Invite by email</label>
        <input id={`${tenant.tenantId}-invite-email`} name="email" type="email" required />
        <label for={`${tenant.tenantId}-invite-role`}>Role</label>
        <select id={`${tenant.tenantId}-invite-role`} name="role">
          <option value="moderator">Moderator: moderation only</option>
          <option value="admin">Admin: settings and moderation</option>
          <option value="owner">Owner: settings, keys and members</option>
        </select>
        <button type="submit">Invite</button>
      </form>
      {link.value && (
        <div role="status">
          <p>
            Send this link to {link.value.email}. It works once, for 7 days; whoever opens it can join, so pass it privately.
          </p>
          <input aria-label="Invitation link" readOnly value={link.value.url} onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      <Alert message={error.value} />
    </section>
  );
}
