import { useSignal } from '@preact/signals';
import type { ReportInfo, Resolution } from '../api';
import { Time } from './bits';
import { LENGTHS, lengthWords as inWords } from './lengths';
import type { Go } from './nav';

/**
 * One open report: the message among the ones around it, who wrote it and who reported it
 * why, and the four things to do about it. Ban asks for a confirm; mute and ban take the
 * message down too.
 */
export function ReportCard({ r, act, go }: { r: ReportInfo; act: (r: ReportInfo, what: Resolution, done: string) => void; go: Go }) {
  const reason = useSignal(r.reason ?? '');
  const length = useSignal('60');
  const m = r.message;
  const who = m ? `${m.name} (${m.user})` : 'unknown';
  const lengthWords = inWords(length.value);
  const sanction = (action: 'mute' | 'ban'): Resolution => ({
    action,
    reason: reason.value.trim() || undefined,
    minutes: length.value ? Number(length.value) : undefined,
    deleteMessage: true,
  });
  const id = `report-${r.id}`;
  return (
    <article class="report" aria-labelledby={`${id}-title`} data-report={r.id}>
      <h4 id={`${id}-title`}>
        Report #{r.id} in {r.room}: {who}
      </h4>
      <div class="row">
        {m && (
          <button type="button" class="link" onClick={() => go({ panel: 'user', user: m.user })}>
            User view of {m.user}
          </button>
        )}
        <button type="button" class="link" onClick={() => go({ panel: 'user', user: r.reporter })}>
          User view of {r.reporter}
        </button>
      </div>
      <p class="hint">
        Reported by {r.reporter}
        {r.reason ? ` because: ${r.reason}` : ''} · <Time ms={r.ts} />
      </p>
      <ol class="context" aria-label="The message in context">
        {(r.context ?? []).map((c) => (
          <li key={c.id} class={c.id === r.messageId ? 'reported' : ''} aria-current={c.id === r.messageId ? 'true' : undefined}>
            <b>{c.name ?? c.user}</b> {c.deleted ? <i>deleted</i> : c.text}
          </li>
        ))}
      </ol>
      {!r.context?.length && <p class="reported">{m ? (m.deleted ? 'deleted' : m.text) : 'The message is gone.'}</p>}
      <div class="row">
        <label for={`${id}-reason`}>Reason</label>
        <input id={`${id}-reason`} value={reason.value} maxLength={500} onInput={(e) => (reason.value = e.currentTarget.value)} />
        <label for={`${id}-length`}>Length</label>
        <select id={`${id}-length`} value={length.value} onChange={(e) => (length.value = e.currentTarget.value)}>
          {LENGTHS.map(([v, label]) => (
            <option key={label} value={v}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="row">
        {m && !m.deleted && (
          <button type="button" onClick={() => act(r, { action: 'delete' }, 'The message is deleted.')}>
            Delete message
          </button>
        )}
        {m && (
          <>
            <button type="button" onClick={() => act(r, sanction('mute'), `${m.name} is muted ${lengthWords}.`)}>
              Mute {m.name}
            </button>
            <button
              type="button"
              onClick={() => confirm(`Ban ${who} ${lengthWords}? Their chat closes at once.`) && act(r, sanction('ban'), `${m.name} is banned ${lengthWords}.`)}
            >
              Ban {m.name}
            </button>
          </>
        )}
        <button type="button" class="quiet" onClick={() => act(r, { action: 'dismiss' }, 'The report is dismissed.')}>
          Dismiss
        </button>
      </div>
    </article>
  );
}
