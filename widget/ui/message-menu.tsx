import { useEffect, useRef } from 'preact/hooks';
import { ACTIONS } from '../state/chat';
import type { ChatMessage } from '../state/messages';
import type { Ui } from './ui-state';

/**
 * The actions on one message, under it: report, delete (own, or any for a moderator), block its
 * author, and a moderator's mute and ban. Each asks again before it acts (report, mute and ban
 * with an optional reason); Escape or Cancel closes and gives focus back to the ⋯ button.
 */
export function MessageMenu({ ui, m, own }: { ui: Ui; m: ChatMessage; own: boolean }) {
  const { chat, text, menu } = ui;
  const el = useRef<HTMLFormElement>(null);
  const act = menu.value!.act;
  const mod = chat.mod.value;
  const close = () => {
    el.current!.parentElement!.querySelector<HTMLElement>('.more')!.focus();
    menu.value = null;
  };
  useEffect(() => (el.current!.querySelector('input,button') as HTMLElement).focus(), [act]);
  const reason = act === 'report' || act === 'mute' || act === 'ban';
  return (
    <form
      ref={el}
      class="menu"
      aria-label={act ? text[act] : text.actions}
      aria-live="off"
      onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), close())}
      onSubmit={(e) => {
        e.preventDefault();
        chat.act(act!, m, (el.current!.elements[0] as HTMLInputElement).value);
        menu.value = null;
      }}
    >
      {act ? (
        <>
          {reason && <input maxLength={500} placeholder={text.reason} aria-label={text.reason} />}
          <button class="danger">{text[act]}</button>
          <button type="button" onClick={close}>
            {text.cancel}
          </button>
        </>
      ) : (
        ACTIONS.filter((a) => (a === 'delete' ? own || mod : !own && (mod || a === 'report' || a === 'block'))).map((a) => (
          <button type="button" onClick={() => (menu.value = { id: m.id, act: a })}>
            {text[a]}
          </button>
        ))
      )}
    </form>
  );
}
