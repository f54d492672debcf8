import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { FoundMessage, TenantRow } from '../api';
import type { Dashboard } from '../state';
import { Alert } from './bits';
import { MessageRow } from './message-row';
import type { Go } from './nav';

/**
 * Message search in a tenant: words (all of them, whole words) and/or an author, newest first
 * across rooms, 25 at a time; each result links to its author's user view and its room.
 */
export function Search({ d, tenant, user, go }: { d: Dashboard; tenant: Pick<TenantRow, 'tenantId' | 'name'>; user?: string; go: Go }) {
  const words = useSignal('');
  const who = useSignal(user ?? '');
  const found = useSignal<FoundMessage[] | null>(null);
  const next = useSignal<string | null>(null);
  const error = useSignal('');
  const busy = useSignal(false);
  const base = `${tenant.tenantId}-search`;

  const find = async (before?: string) => {
    const q = { q: words.value.trim() || undefined, user: who.value.trim() || undefined, before };
    if (!q.q && !q.user) return void (error.value = 'Enter words, a user id, or both.');
    busy.value = true;
    const r = await d.search(tenant.tenantId, q);
    busy.value = false;
    error.value = r.ok ? '' : r.error.message;
    if (!r.ok) return;
    found.value = before ? [...(found.value ?? []), ...r.data.messages] : r.data.messages;
    next.value = r.data.next;
  };
  useEffect(() => void (user ? find() : undefined), [tenant.tenantId, user]);

  return (
    <section class="stack" aria-label={`Search in ${tenant.name}`}>
      <form
        class="grid"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <label>
          Words
          <input id={`${base}-q`} type="search" value={words.value} maxLength={200} onInput={(e) => (words.value = e.currentTarget.value)} />
        </label>
        <label>
          User id
          <input id={`${base}-user`} value={who.value} maxLength={128} onInput={(e) => (who.value = e.currentTarget.value)} />
        </label>
        <div class="row">
          <button type="submit" disabled={busy.value}>
            Search
          </button>
        </div>
      </form>
      <Alert message={error.value} />
      {found.value && (
        <ol class="messages" aria-label="Results">
          {found.value.map((m) => (
            <MessageRow key={`${m.room}/${m.id}`} m={m} go={go} showRoom />
          ))}
        </ol>
      )}
      <p role="status" class="hint">
        {found.value ? (found.value.length ? `${found.value.length} found${next.value ? ', more below' : ''}.` : 'Nothing found.') : ''}
      </p>
      {next.value && (
        <button type="button" class="quiet" onClick={() => find(next.value!)}>
          More results
        </button>
      )}
    </section>
  );
}
