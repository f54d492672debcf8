import { Fragment } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { ChatMessage } from '../state/messages';
import { dayLabel } from './day-label';
import { MessageItem } from './message-item';
import type { Ui } from './ui-state';

// Messages of one person closer together than this share one name and time.
const GROUP_MS = 5 * 60_000;
// Within this many pixels of an edge counts as "at" it.
const EDGE_PX = 48;

/** The scrolling message log: grouped, with the "new messages" line, loading older on scroll up. */
export function MessageList({ ui }: { ui: Ui }) {
  const { chat, text } = ui;
  // A blocked author's messages are hidden at once (the server sends no more of them).
  const list = chat.store.list.value.filter((m) => !chat.blocked.value[m.user]);
  const el = useRef<HTMLDivElement>(null);
  // Scroll geometry from before the last render, to keep the view still when older ones arrive.
  const geo = useRef({ first: '', last: '', height: 0, top: 0, bottom: true });

  const atBottom = (d: HTMLDivElement) => d.scrollHeight - d.scrollTop - d.clientHeight < EDGE_PX;
  // Read only what a person can see: panel open (we are mounted), tab visible, newest on screen.
  const maybeRead = () => {
    const d = el.current;
    if (d && document.visibilityState === 'visible' && atBottom(d)) chat.markRead();
  };

  const onScroll = () => {
    const d = el.current!;
    const g = geo.current;
    g.top = d.scrollTop;
    g.height = d.scrollHeight;
    g.bottom = atBottom(d);
    if (d.scrollTop < EDGE_PX) chat.loadOlder();
    maybeRead();
  };

  useLayoutEffect(() => {
    const d = el.current!;
    const g = geo.current;
    const first = list[0]?.id ?? '';
    const last = list.at(-1);
    if (g.first && first !== g.first && g.height) {
      // Older messages were put above: keep the same messages under the reader's eyes.
      d.scrollTop = g.top + d.scrollHeight - g.height;
    } else if (g.bottom || (last && last.id !== g.last && chat.isOwn(last))) {
      d.scrollTop = d.scrollHeight;
    }
    g.first = first;
    g.last = last?.id ?? '';
    g.top = d.scrollTop;
    g.height = d.scrollHeight;
    g.bottom = atBottom(d);
    maybeRead();
  }, [list]);

  useEffect(() => {
    document.addEventListener('visibilitychange', maybeRead);
    return () => document.removeEventListener('visibilitychange', maybeRead);
  }, []);

  const line = ui.mark.value || chat.firstRead.value;
  const lineAt = line ? list.findIndex((m) => m.seq! > line && !chat.isOwn(m)) : -1;
  let lastOwn = -1;
  list.forEach((m, i) => chat.isOwn(m) && (lastOwn = i));
  const items = list.map((m, i) => {
    const prev: ChatMessage | undefined = list[i - 1];
    const divider = i === lineAt;
    const day = !prev || new Date(prev.ts).toDateString() !== new Date(m.ts).toDateString();
    const own = chat.isOwn(m);
    const start =
      divider || day || !prev || own !== chat.isOwn(prev) || (!own && prev.user !== m.user) || m.ts - prev.ts > GROUP_MS;
    // Status under sending/failed ones, and under the newest own message.
    const showStatus = own && (m.pending || i === lastOwn);
    return (
      <Fragment key={m.id}>
        {day && (
          <div class="day" role="separator">
            {dayLabel(m.ts, ui.locale)}
          </div>
        )}
        {divider && (
          <div class="divider" role="separator">
            {text.newMessages}
          </div>
        )}
        <MessageItem ui={ui} m={m} own={own} start={start} showStatus={showStatus} />
      </Fragment>
    );
  });

  const state = chat.status.value;
  return (
    <div
      ref={el}
      class="log"
      role="log"
      aria-live="polite"
      aria-label={text.messages}
      tabIndex={0}
      onScroll={onScroll}
    >
      {chat.loadingOlder.value && <div class="note">{text.loading}</div>}
      {items}
      {!list.length && !chat.dead.value && (
        <div class="note">{chat.problem.value || (state === 'connected' ? text.empty : text[state === 'stopped' ? 'stopped' : 'connecting'])}</div>
      )}
    </div>
  );
}
