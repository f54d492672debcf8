import { useSignal } from '@preact/signals';
import type { FoundMessage, Sanction } from '../api';
import { Time } from './bits';
import type { Go } from './nav';
import { SanctionForm } from './sanction-form';

/**
 * One message: author (a link to their user view), when, where and what; in a live room also
 * Delete, Mute and Ban of its author. Text is rendered as text, never as markup.
 */
export function MessageRow(p: {
  m: Pick<FoundMessage, 'id' | 'room' | 'user' | 'name' | 'text' | 'ts'>;
  go: Go;
  /** Shows the room with a link to its live view (search results, user views). */
  showRoom?: boolean;
  remove?: () => void;
  sanction?: (kind: 'bans' | 'mutes', s: Sanction, words: string) => void;
}) {
  const { m, go } = p;
  const form = useSignal<'mute' | 'ban' | null>(null);
  const who = m.name ?? m.user;
  const id = `msg-${m.room}-${m.id}`;
  return (
    <li class="message" data-id={m.id} data-user={m.user}>
      <div class="row">
        <button type="button" class="link" onClick={() => go({ panel: 'user', user: m.user })} aria-label={`User view of ${m.user}`}>
          {who}
        </button>
        <span class="hint">
          {m.user} · <Time ms={m.ts} />
          {p.showRoom ? ' · in ' : ''}
        </span>
        {p.showRoom && (
          <button type="button" class="link" onClick={() => go({ panel: 'rooms', room: m.room })} aria-label={`Open room ${m.room}`}>
            {m.room}
          </button>
        )}
      </div>
      <p class="text" dir="auto">
        {m.text}
      </p>
      {p.remove && p.sanction && (
        <div class="row">
          <button type="button" class="quiet" onClick={p.remove}>
            Delete
          </button>
          <button type="button" class="quiet" aria-expanded={form.value === 'mute'} onClick={() => (form.value = form.value === 'mute' ? null : 'mute')}>
            Mute
          </button>
          <button type="button" class="quiet" aria-expanded={form.value === 'ban'} onClick={() => (form.value = form.value === 'ban' ? null : 'ban')}>
            Ban
          </button>
        </div>
      )}
      {form.value && p.sanction && (
        <SanctionForm
          kind={form.value}
          who={who}
          id={id}
          cancel={() => (form.value = null)}
          act={(s, words) => {
            p.sanction!(form.value === 'ban' ? 'bans' : 'mutes', s, words);
            form.value = null;
          }}
        />
      )}
    </li>
  );
}
