import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { Result, SigningSecret, TenantInfo, WebhookDelivery, WebhookStatus } from '../api';
import type { Dashboard } from '../state';
import { Alert, Time } from './bits';

const STATE = { pending: 'Waiting', delivered: 'Delivered', given_up: 'Given up' } as const;

/** The signing secret, shown on request, and its rotation (owners: it is a key). */
function Secret({ d, tenantId }: { d: Dashboard; tenantId: string }) {
  const secret = useSignal<SigningSecret | null>(null);
  const error = useSignal('');
  const load = async (rotate: boolean) => {
    const r = await d.call(() => (rotate ? d.api.rotateSigningSecret(tenantId) : d.api.signingSecret(tenantId)));
    if (r.ok) secret.value = r.data;
    error.value = r.ok ? '' : r.error.message;
  };
  return (
    <div class="signing-secret">
      {secret.value ? (
        <p>
          Signing secret: <code>{secret.value.secret}</code>
          {secret.value.previous && (
            <span class="hint">
              {' '}
              (the old one, <code>{secret.value.previous.secret}</code>, also signs until <Time ms={secret.value.previous.until} />)
            </span>
          )}
        </p>
      ) : (
        <button type="button" onClick={() => load(false)}>
          Show signing secret
        </button>
      )}
      <button type="button" onClick={() => load(true)}>
        Rotate signing secret (the old one signs for one more day)
      </button>
      <Alert message={error.value} />
    </div>
  );
}

/** A tenant's event webhooks: backlog, delivery log, a test event, replays. */
export function Webhooks({ d, tenant, owns }: { d: Dashboard; tenant: TenantInfo; owns: boolean }) {
  const id = tenant.tenantId;
  const status = useSignal<WebhookStatus | null>(null);
  const log = useSignal<WebhookDelivery[] | null>(null);
  const since = useSignal('');
  const note = useSignal('');
  const error = useSignal('');

  const reload = async () => {
    const [s, l] = await Promise.all([d.call(() => d.api.webhooks(id)), d.call(() => d.api.deliveries(id))]);
    if (s.ok) status.value = s.data;
    if (l.ok) log.value = l.data.events;
    error.value = !s.ok ? s.error.message : !l.ok ? l.error.message : '';
  };
  useEffect(() => void reload(), [id]);

  /** Runs an action, says what it did, and shows the log as it is now. */
  const act = async <T,>(run: () => Promise<Result<T>>, said: string) => {
    const r = await d.call(run);
    note.value = r.ok ? said : '';
    error.value = r.ok ? '' : r.error.message;
    await reload();
  };
  const replaySince = () => {
    const at = Date.parse(since.value);
    if (Number.isNaN(at)) return void (error.value = 'Choose a time to replay from.');
    void act(() => d.api.replay(id, { since: at }), 'Replaying everything since then.');
  };

  const s = status.value;
  return (
    <section aria-label={`Webhooks of ${tenant.name}`} class="webhooks">
      {owns && <Secret d={d} tenantId={id} />}
      {s && (
        <p class="backlog">
          {s.eventsUrl ? `Events go to ${s.eventsUrl}. ` : 'No events URL is set. '}
          {s.backlog.pending ? `${s.backlog.pending} waiting` : 'Nothing waiting'}
          {s.backlog.oldestAt != null && (
            <>
              {', the oldest from '}
              <Time ms={s.backlog.oldestAt} />
            </>
          )}
          .
        </p>
      )}
      {s?.disabled && (
        <p class="error">
          {`Delivery is stopped: ${s.disabled.reason ?? 'disabled'}. `}
          <button type="button" onClick={() => act(() => d.api.enableWebhooks(id), 'Delivery enabled.')}>
            Enable again
          </button>
        </p>
      )}
      <div class="row">
        <button type="button" onClick={() => act(() => d.api.sendTestEvent(id), 'A test event is on its way.')}>
          Send test event
        </button>
        <label>
          Replay everything since <input type="datetime-local" value={since.value} onInput={(e) => (since.value = (e.target as HTMLInputElement).value)} />
        </label>
        <button type="button" onClick={replaySince}>
          Replay
        </button>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <p role="status" class="hint">
        {note.value}
      </p>
      {log.value && (
        <table>
          <caption>Delivery log (newest first)</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Type</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Latency</th>
              <th scope="col">Next attempt</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {log.value.map((e) => (
              <tr key={e.id} data-event={e.id} data-state={e.state}>
                <td>
                  <code>{e.id}</code> <Time ms={e.createdAt} />
                </td>
                <td>{e.type}</td>
                <td>{STATE[e.state]}</td>
                <td>{e.attempts}</td>
                <td>{e.lastStatus ?? e.lastError ?? ''}</td>
                <td>{e.latencyMs == null ? '' : `${e.latencyMs} ms`}</td>
                <td>{e.nextAt != null && e.attempts > 0 ? <Time ms={e.nextAt} /> : ''}</td>
                <td>
                  {e.state !== 'pending' && (
                    <button type="button" onClick={() => act(() => d.api.replay(id, { id: e.id }), `Replaying ${e.id}.`)}>
                      Replay
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {log.value && !log.value.length && <p class="hint">No events yet.</p>}
      <Alert message={error.value} />
    </section>
  );
}
