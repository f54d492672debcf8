import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { BanInfo, ReportInfo, TenantRow } from '../api';
import type { Dashboard } from '../state';
import { Alert, Time } from './bits';

/**
 * A tenant's moderation: what people reported (with the message as it is now) and who is
 * banned. Banning closes the person's sockets at once; lifting lets them back.
 */
export function Moderation({ d, tenant }: { d: Dashboard; tenant: Pick<TenantRow, 'tenantId' | 'name'> }) {
  const reports = useSignal<ReportInfo[] | null>(null);
  const bans = useSignal<BanInfo[]>([]);
  const error = useSignal('');
  const status = useSignal('');

  // One error line for loading and for actions: each sets it, only a success clears it.
  const load = async () => {
    const r = await d.moderation(tenant.tenantId);
    if (!r.ok) return void (error.value = r.error.message);
    reports.value = r.data.reports;
    bans.value = r.data.bans;
  };
  useEffect(() => void load(), [tenant.tenantId]);

  const act = async (done: string, run: () => Promise<{ message: string } | null>) => {
    const err = await run();
    error.value = err ? err.message : '';
    status.value = err ? '' : done;
    if (!err) await load();
  };
  const ban = (user: string, reason: string) => {
    if (!confirm(`Ban ${user} from ${tenant.name}? Their chat closes at once.`)) return;
    void act(`${user} is banned.`, () => d.ban(tenant.tenantId, user, reason));
  };

  if (!reports.value) return <p class="hint">{error.value || 'Loading reports and bans…'}</p>;
  const banned = new Set(bans.value.map((b) => b.user));
  return (
    <section class="stack moderation" aria-label={`Moderation of ${tenant.name}`}>
      <table>
        <caption>Reports</caption>
        <thead>
          <tr>
            <th scope="col">Message</th>
            <th scope="col">Reported by</th>
            <th scope="col">When</th>
            <th scope="col">
              <span class="sr">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {reports.value.map((r) => (
            <tr key={r.id} data-report={r.id}>
              <td class="reported">
                {r.message ? (
                  <>
                    <b>{r.message.user}</b> in {r.room}: {r.message.deleted ? <i>deleted</i> : r.message.text}
                  </>
                ) : (
                  <i>gone</i>
                )}
              </td>
              <td>
                {r.reporter}
                {r.reason ? `: ${r.reason}` : ''}
              </td>
              <td><Time ms={r.ts} /></td>
              <td>
                {r.message && !banned.has(r.message.user) && (
                  <button type="button" class="quiet" onClick={() => ban(r.message!.user, r.reason ?? 'reported')}>
                    Ban {r.message.user}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!reports.value.length && <p class="hint">No reports.</p>}
      <table>
        <caption>Banned</caption>
        <tbody>
          {bans.value.map((b) => (
            <tr key={b.user} data-banned={b.user}>
              <th scope="row">{b.user}</th>
              <td>{b.reason ?? ''}</td>
              <td>{b.until ? <>until <Time ms={b.until} /></> : 'for good'}</td>
              <td>
                <button type="button" class="quiet" onClick={() => act(`${b.user} may chat again.`, () => d.unban(tenant.tenantId, b.user))}>
                  Lift ban on {b.user}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!bans.value.length && <p class="hint">Nobody is banned.</p>}
      <p role="status" class="hint">
        {status.value}
      </p>
      <Alert message={error.value} />
    </section>
  );
}
