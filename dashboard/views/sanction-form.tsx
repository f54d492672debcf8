import { useSignal } from '@preact/signals';
import type { Sanction } from '../api';
import { LENGTHS, lengthWords } from './lengths';

/**
 * Mute or ban one author: a reason and a length (1 hour, 24 hours, 7 days, forever), then the
 * button that does it; a ban asks for a confirm first (their chat closes at once).
 */
export function SanctionForm(p: { kind: 'mute' | 'ban'; who: string; id: string; act: (s: Sanction, words: string) => void; cancel: () => void }) {
  const reason = useSignal('');
  const length = useSignal('60');
  const words = lengthWords(length.value);
  const go = () => {
    if (p.kind === 'ban' && !confirm(`Ban ${p.who} ${words}? Their chat closes at once.`)) return;
    p.act({ reason: reason.value.trim() || undefined, minutes: length.value ? Number(length.value) : undefined }, words);
  };
  return (
    <div class="row sanction" role="group" aria-label={`${p.kind === 'ban' ? 'Ban' : 'Mute'} ${p.who}`}>
      <label for={`${p.id}-reason`}>Reason</label>
      <input id={`${p.id}-reason`} value={reason.value} maxLength={500} onInput={(e) => (reason.value = e.currentTarget.value)} />
      <label for={`${p.id}-length`}>Length</label>
      <select id={`${p.id}-length`} value={length.value} onChange={(e) => (length.value = e.currentTarget.value)}>
        {LENGTHS.map(([v, label]) => (
          <option key={label} value={v}>
            {label}
          </option>
        ))}
      </select>
      <button type="button" onClick={go}>
        {p.kind === 'ban' ? 'Ban' : 'Mute'} {p.who} {words}
      </button>
      <button type="button" class="quiet" onClick={p.cancel}>
        Cancel
      </button>
    </div>
  );
}
