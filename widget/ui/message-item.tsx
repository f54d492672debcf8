import type { ChatMessage } from '../state/messages';
import { Avatar } from './avatar';
import { splitLinks } from './links';
import { MessageMenu } from './message-menu';
import type { Ui } from './ui-state';

// The day is in the separator above (message-list.tsx): the time alone here.
const time = (ts: number, locale: string) => new Date(ts).toLocaleTimeString(locale, { timeStyle: 'short' });

/** Message text as text nodes, with http(s) URLs as links that cannot reach back into the page. */
const Body = ({ text }: { text: string }) => (
  <>
    {splitLinks(text).map((p) =>
      typeof p === 'string' ? (
        p
      ) : (
        <a href={p.href} target="_blank" rel="noopener noreferrer">
          {p.text}
        </a>
      ),
    )}
  </>
);

/** One message; `start` opens a group with name and time. */
export function MessageItem(p: { ui: Ui; m: ChatMessage; own: boolean; start: boolean; showStatus: boolean }) {
  const { ui, m, own } = p;
  const { chat, text } = ui;
  const status = own ? chat.delivery(m) : undefined;
  const menu = ui.menu.value?.id === m.id;
  return (
    <div class={`msg${own ? ' own' : ''}${m.deleted ? ' gone' : ''}`} data-id={m.id} data-seq={m.seq} data-status={status}>
      {p.start && (
        <div class="who">
          {!own && <Avatar user={m.user} name={m.name || m.user} />}
          <b dir="auto">{own ? text.you : m.name || m.user}</b>
          {m.seq != null && <time dateTime={new Date(m.ts).toISOString()}>{time(m.ts, ui.locale)}</time>}
        </div>
      )}
      <div class="row">
        {/* dir=auto: an Arabic message reads right to left on an English page, and the reverse. */}
        <div class="bubble" dir="auto">
          {m.deleted ? text.deleted : <Body text={m.text ?? ''} />}
        </div>
        {m.seq != null && !m.deleted && (
          <button type="button" class="more" aria-label={text.actions} aria-expanded={menu} onClick={() => (ui.menu.value = menu ? null : { id: m.id })}>
            ⋯
          </button>
        )}
      </div>
      {menu && <MessageMenu ui={ui} m={m} own={own} />}
      {status && (p.showStatus || status === 'failed') && (
        <div class="status">
          {text[status]}
          {m.reason && <span class="reason">{m.reason}</span>}
          {status === 'failed' && m.error !== 'forbidden' && (
            <button type="button" class="link" onClick={() => ui.edit(m.id)}>
              {text.edit}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
