import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { BanInfo, TenantRow, UserReport, UserView as View } from '../api';
import type { Dashboard } from '../state';
import { Alert, Time } from './bits';
import { MessageRow } from './message-row';
import type { Go } from './nav';

const until = (s: BanInfo) => (s.until ? <>until <Time ms={s.until} /></> : 'for good');

/** A sanction in force, or that there is none. */
const InForce = ({ label, s }: { label: string; s: BanInfo | null }) => (
  <p class={s ? 'in-force' : 'hint'} data-sanction={label.toLowerCase()}>
    {s ? (
      <>
        {label} {until(s)}
        {s.reason ? `: ${s.reason}` : ''} (since <Time ms={s.createdAt} />)
      </>
    ) : (
      `Not ${label.toLowerCase()}.`
    )}
  </p>
);

function Reports({ caption, rows }: { caption: string; rows: UserReport[] }) {
  return (
    <table>
      <caption>
        {caption} ({rows.length})
      </caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-report={r.id}>
            <td>
              <Time ms={r.ts} />
            </td>
            <td>#{r.id} in {r.room}</td>
            <td>by {r.reporter}</td>
            <td>{r.reason ?? ''}</td>
            <td>{r.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * One user as moderators see them: the ban and mute in force, what moderators did to them
 * (history from the audit log), reports against them and by them, and their latest messages
 * across rooms.
 */
export function UserView({ d, tenant, user, go }: { d: Dashboard; tenant: Pick<TenantRow, 'tenantId' | 'name'>; user: string; go: Go }) {
  const view = useSignal<View | null>(null);
  const error = useSignal('');
  useEffect(() => {
    view.value = null;
    void d.userView(tenant.tenantId, user).then((r) => {
      if (r.ok) view.value = r.data;
      error.value = r.ok ? '' : r.error.message;
    });
  }, [tenant.tenantId, user]);
  const v = view.value;
  return (
    <section class="stack" aria-label={`User ${user} in ${tenant.name}`}>
      <div class="row spread">
        <h3>
          User <code>{user}</code>
        </h3>
        <button type="button" class="quiet" onClick={() => go({ panel: 'search', user })}>
          Search their messages
        </button>
      </div>
      <Alert message={error.value} />
      {!v && !error.value && <p aria-busy="true">Loading…</p>}
      {v && (
        <>
          <InForce label="Banned" s={v.ban} />
          <InForce label="Muted" s={v.mute} />
          <table>
            <caption>Moderation history ({v.history.length})</caption>
            <tbody>
              {v.history.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>
                    <Time ms={e.ts} />
                  </td>
                  <td>{e.action}</td>
                  <td>{e.actorName}</td>
                  <td>{describe(e.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Reports caption="Reports against them" rows={v.reportsAgainst} />
          <Reports caption="Reports by them" rows={v.reportsBy} />
          <h4>Recent messages ({v.messages.length})</h4>
          <ol class="messages" aria-label={`Recent messages of ${user}`}>
            {v.messages.map((m) => (
              <MessageRow key={`${m.room}/${m.id}`} m={m} go={go} showRoom />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** An audit entry's detail in words: the reason and the end of a ban or mute. */
function describe(detail: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof detail.reason === 'string') parts.push(detail.reason);
  if (typeof detail.until === 'number') parts.push(`until ${new Date(detail.until).toLocaleString()}`);
  else if ('until' in detail && detail.until === null) parts.push('for good');
  return parts.join(', ');
}
