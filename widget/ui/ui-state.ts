import { signal, type Signal } from '@preact/signals-core';
import type { Action, Chat } from '../state/chat';
import type { Text } from './text';

/** What the components share besides the chat: open or not, the draft, the "new messages" mark. */
export interface Ui {
  chat: Chat;
  text: Text;
  left: boolean;
  /** Right-to-left layout (an RTL language or page). */
  rtl: boolean;
  /** The language for dates ("Today", "Monday 3 March"). */
  locale: string;
  /** A guest is asked for a name before the first message. */
  askName: Signal<boolean>;
  open: Signal<boolean>;
  draft: Signal<string>;
  /** Messages after this seq sit below the "new messages" line; 0 shows no line. */
  mark: Signal<number>;
  /** The message whose action menu is open, and the action waiting for its confirm. */
  menu: Signal<{ id: string; act?: Action } | null>;
  /** Whether opening should focus the text box: yes when a person or the site opened it, not at page load. */
  focus: boolean;
  setOpen(open: boolean): void;
  /** Takes a refused message back into the text box. */
  edit(id: string): void;
}

/** Creates the UI state; `onOpen` reports open/close to `Parley.on`. */
export function createUi(o: {
  chat: Chat;
  text: Text;
  left: boolean;
  rtl: boolean;
  locale: string;
  askName: boolean;
  open: boolean;
  onOpen(open: boolean): void;
}): Ui {
  const open = signal(o.open);
  const mark = signal(0);
  const draft = signal('');
  return {
    chat: o.chat,
    text: o.text,
    left: o.left,
    rtl: o.rtl,
    locale: o.locale,
    askName: signal(o.askName),
    open,
    draft,
    mark,
    menu: signal(null),
    focus: false,
    setOpen(next) {
      if (next === open.peek()) return;
      // The line marks what arrived since the person last looked.
      if (next) mark.value = Math.max(o.chat.readSeq.peek(), o.chat.firstRead.peek());
      this.focus = true;
      open.value = next;
      o.onOpen(next);
    },
    edit(id) {
      const t = o.chat.discard(id);
      // What is already in the box stays, after the message taken back.
      if (t) draft.value = draft.value.trim() ? `${t}\n${draft.value}` : t;
    },
  };
}
