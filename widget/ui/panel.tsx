import { Composer } from './composer';
import { closeIcon } from './icons';
import { MessageList } from './message-list';
import { NamePrompt } from './name-prompt';
import { fmt, typingLine } from './text';
import type { Ui } from './ui-state';

/** The open chat: header, messages, typing line and composer. */
export function Panel({ ui, close }: { ui: Ui; close(): void }) {
  const { chat, text } = ui;
  const dead = chat.dead.value;
  // A dead end shows no live presence: the composer's line says what is wrong.
  const state = dead && dead !== 'muted' ? 'stopped' : chat.status.value;
  const label = dead && state === 'stopped' ? '' : state === 'connected' ? fmt(text.online, { n: chat.online.value }) : text[state];
  return (
    <div class="panel" id="parley-panel" role="dialog" aria-labelledby="parley-title" data-state={state}>
      <header>
        <div>
          <h2 id="parley-title">{text.title}</h2>
          {label && (
            <div class="state" role="status">
              {label}
            </div>
          )}
        </div>
        <button type="button" class="x" aria-label={text.close} onClick={close}>
          {closeIcon()}
        </button>
      </header>
      <MessageList ui={ui} />
      {Object.entries(chat.blocked.value).map(([user, name]) => (
        <button type="button" class="link" onClick={() => chat.act('unblock', { id: '', user })}>
          {fmt(text.unblock, { name })}
        </button>
      ))}
      <div class="typing" role="status">
        {(text[chat.notice.value as 'done'] ?? chat.notice.value) || typingLine(text, chat.typists.value)}
      </div>
      {ui.askName.value && !dead ? <NamePrompt ui={ui} /> : <Composer ui={ui} />}
    </div>
  );
}
