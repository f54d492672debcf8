import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { BanInfo, ReportInfo, Resolution, TenantRow } from '../api';
import type { Dashboard } from '../state';
import { Alert, Time } from './bits';
import type { Go } from './nav';
import { ReportCard } from './report-card';

/** Banned or muted people, with the button that lifts it. */
function Sanctioned({ caption, rows, lift, empty }: { caption: string; rows: BanInfo[]; lift: (user: string) => void; empty: string }) {
  return (
    <>
      <table>
        <caption>{caption}</caption>
        <tbody>
          {rows.map((b) => (
            <tr key={b.user} data-user={b.user}>
              <th scope="row">{b.user}</th>
              <td>{b.reason ?? ''}</td>
              <td>{b.until ? <>until <Time ms={b.until} /></> : 'for good'}</td>
              <td>
                <button type="button" class="quiet" onClick={() => lift(b.user)}>
                  Lift {caption === 'Banned' ? 'ban' : 'mute'} on {b.user}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!rows.length && <p class="hint">{empty}</p>}
    </>
  );
}

/**
 * A tenant's moderation queue: open reports with their message in context, each worked by
 * deleting the message, muting or banning its author for a length, or dismissing it; and who
 * is banned or muted now.
 */
export function Moderation({ d, tenant, go }: { d: Dashboard; tenant: Pick<TenantRow, 'tenantId' | 'name'>; go: Go }) {
  const reports = useSignal<ReportInfo[] | null>(null);
  const bans = useSignal<BanInfo[]>([]);
  const mutes = useSignal<BanInfo[]>([]);
  const error = useSignal('');
  const status = useSignal('');

  // One error line for loading and for actions: each sets it, only a success clears it.
  const load = async () => {
    const r = await d.moderation(tenant.tenantId);
    if (!r.ok) return void (error.value = r.error.message);
    reports.value = r.data.reports;
    bans.value = r.data.bans;
    mutes.value = r.data.mutes;
  };
  useEffect(() => void load(), [tenant.tenantId]);

  const run = async (done: string, task: () => Promise<{ message: string } | null>) => {
    const err = await task();
    error.value = err ? err.message : '';
    status.value = err ? '' : done;
    if (!err) await load();
  };
  const act = (r: ReportInfo, what: Resolution, done: string) => void run(done, () => d.resolve(tenant.tenantId, r.id, what));

  if (!reports.value) return <p class="hint">{error.value || 'Loading the queue…'}</p>;
  return (
    <section class="stack moderation" aria-label={`Moderation of ${tenant.name}`}>
      <h3>Open reports ({reports.value.length})</h3>
      {reports.value.map((r) => (
        <ReportCard key={r.id} r={r} act={act} go={go} />
      ))}
      {!reports.value.length && <p class="hint">No open reports.</p>}
      <p role="status" class="hint">
        {status.value}
      </p>
      <Alert message={error.value} />
      <Sanctioned caption="Banned" rows={bans.value} empty="Nobody is banned." lift={(u) => run(`${u} may chat again.`, () => d.unban(tenant.tenantId, u))} />
      <Sanctioned caption="Muted" rows={mutes.value} empty="Nobody is muted." lift={(u) => run(`${u} may write again.`, () => d.unmute(tenant.tenantId, u))} />
    </section>
  );
}
