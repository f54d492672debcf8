import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { RoomInfo, TenantRow } from '../api';
import type { Dashboard } from '../state';
import { Alert } from './bits';
import { LiveRoom } from './live-room';
import type { Go } from './nav';

/** A tenant's rooms to pick from (by name, filtered by how it starts, in pages of 100), or the picked room live. */
export function RoomView({ d, tenant, room, go }: { d: Dashboard; tenant: Pick<TenantRow, 'tenantId' | 'name' | 'publishableKey'>; room?: string; go: Go }) {
  const rooms = useSignal<RoomInfo[] | null>(null);
  const next = useSignal<string | null>(null);
  const prefix = useSignal('');
  const error = useSignal('');

  const load = async (after?: string) => {
    const r = await d.rooms(tenant.tenantId, prefix.value.trim(), after);
    error.value = r.ok ? '' : r.error.message;
    if (!r.ok) return;
    rooms.value = after ? [...(rooms.value ?? []), ...r.data.rooms] : r.data.rooms;
    next.value = r.data.next;
  };
  useEffect(() => void (room ? undefined : load()), [tenant.tenantId, room]);

  if (room) return <LiveRoom key={room} d={d} tenant={tenant} room={room} go={go} />;
  return (
    <section class="stack" aria-label={`Rooms of ${tenant.name}`}>
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label for={`${tenant.tenantId}-room-prefix`}>Rooms starting with</label>
        <input id={`${tenant.tenantId}-room-prefix`} value={prefix.value} maxLength={64} onInput={(e) => (prefix.value = e.currentTarget.value)} />
        <button type="submit">Find</button>
      </form>
      <Alert message={error.value} />
      {rooms.value && (
        <ul class="rooms">
          {rooms.value.map((r) => (
            <li key={r.room}>
              <button type="button" class="link" onClick={() => go({ panel: 'rooms', room: r.room })}>
                {r.room}
              </button>
              <span class="hint">
                {r.private ? ' private ·' : ''} {r.headSeq} sent
              </span>
            </li>
          ))}
        </ul>
      )}
      {rooms.value && !rooms.value.length && <p class="hint">No rooms{prefix.value.trim() ? ' by that name' : ' yet'}.</p>}
      {next.value && (
        <button type="button" class="quiet" onClick={() => load(next.value!)}>
          More rooms
        </button>
      )}
    </section>
  );
}
