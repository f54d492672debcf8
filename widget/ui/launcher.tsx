import type { Ref } from 'preact';
import { chatIcon, closeIcon } from './icons';
import { fmt } from './text';
import type { Ui } from './ui-state';

/** The round button in the corner, with the unread count. */
export function Launcher({ ui, buttonRef }: { ui: Ui; buttonRef: Ref<HTMLButtonElement> }) {
  const { text } = ui;
  const open = ui.open.value;
  const unread = ui.chat.unread.value;
  const label = open ? text.close : unread ? `${text.open}, ${fmt(text.unread, { n: unread })}` : text.open;
  return (
    <button
      ref={buttonRef}
      type="button"
      class="launcher"
      aria-label={label}
      aria-expanded={open}
      aria-controls="parley-panel"
      onClick={() => ui.setOpen(!open)}
    >
      {open ? closeIcon() : chatIcon()}
      {!open && unread > 0 && (
        <span class="badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </button>
  );
}
