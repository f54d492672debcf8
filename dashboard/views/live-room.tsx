import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { TenantRow } from '../api';
import { createRoomFeed } from '../live/room-feed';
import type { Dashboard } from '../state';
import { Alert } from './bits';
import { MessageRow } from './message-row';
import type { Go } from './nav';

const STATE_WORDS = { connecting: 'Connecting…', connected: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline', stopped: 'Stopped' } as const;

/**
 * One room as its users see it, live: who is online and every message, each with delete, mute
 * and ban of its author (through the moderation routes, which write the audit log). A deleted
 * message leaves the list when the room's `deleted` event arrives, here as in every widget.
 */
export function LiveRoom({ d, tenant, room, go }: { d: Dashboard; tenant: Pick<TenantRow, 'tenantId' | 'name' | 'publishableKey'>; room: string; go: Go }) {
  const status = useSignal('');
  const error = useSignal('');
  const feed = useMemo(
    () =>
      createRoomFeed({
        url: `${location.origin.replace(/^http/, 'ws')}/v1/ws?key=${encodeURIComponent(tenant.publishableKey)}`,
        room,
        token: async () => {
          const r = await d.consoleToken(tenant.tenantId);
          if (r.ok) return r.data.token;
          // No answer: retry like a failed socket. An answer that refuses: stop.
          if (r.error.status === 0 || r.error.status >= 500) throw new Error(r.error.message);
          return null;
        },
      }),
    [tenant.tenantId, room],
  );
  useEffect(() => {
    feed.start();
    const net = () => feed.setOnline(navigator.onLine);
    addEventListener('online', net);
    addEventListener('offline', net);
    return () => {
      removeEventListener('online', net);
      removeEventListener('offline', net);
      feed.close();
    };
  }, [feed]);

  const run = async (done: string, task: () => Promise<{ message: string } | null>) => {
    const err = await task();
    error.value = err ? err.message : '';
    status.value = err ? '' : done;
  };
  const shown = feed.messages.value.filter((m) => !m.deleted && m.seq != null);
  const online = feed.online.value;
  const state = feed.state.value;
  return (
    <section class="stack live" aria-label={`Room ${room} of ${tenant.name}`} data-state={state}>
      <div class="row spread">
        <h3>
          {room} <span class="tag live-state">{STATE_WORDS[state]}</span>
        </h3>
        <button type="button" class="quiet" onClick={() => go({ panel: 'rooms' })}>
          All rooms
        </button>
      </div>
      <Alert message={feed.problem.value} />
      <ul class="online" aria-label="Online now">
        {online.map((p) => (
          <li key={p.user} data-user={p.user}>
            {p.name} <span class="hint">({p.user === feed.me.value ? 'this console' : p.user})</span>
          </li>
        ))}
      </ul>
      {!online.length && <p class="hint">{state === 'connected' ? 'Nobody is online.' : ''}</p>}
      <ol class="messages" aria-label={`Messages in ${room}`}>
        {shown.map((m) => (
          <MessageRow
            key={m.id}
            m={{ ...m, room }}
            go={go}
            remove={() => run('The message is deleted.', () => d.deleteMessage(tenant.tenantId, room, m.id))}
            sanction={(kind, s, words) =>
              run(`${m.name ?? m.user} is ${kind === 'bans' ? 'banned' : 'muted'} ${words}.`, () => d.sanction(tenant.tenantId, kind, m.user, s))
            }
          />
        ))}
      </ol>
      {!shown.length && <p class="hint">{state === 'connected' ? 'No messages yet.' : ''}</p>}
      <p role="status" class="hint">
        {status.value}
      </p>
      <Alert message={error.value} />
    </section>
  );
}
