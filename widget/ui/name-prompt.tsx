import { useEffect, useRef } from 'preact/hooks';
import { DEFAULTS } from '../../api/protocol';
import type { Ui } from './ui-state';

/** Asks a guest for a name before their first message (`data-ask-name`); then the composer shows. */
export function NamePrompt({ ui }: { ui: Ui }) {
  const { text } = ui;
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ui.focus) box.current!.focus();
  }, []);
  return (
    <form
      class="ask"
      onSubmit={(e) => {
        e.preventDefault();
        const name = box.current!.value.trim();
        if (!name) return box.current!.focus();
        ui.chat.setName(name);
        ui.askName.value = false;
      }}
    >
      <label for="parley-name">{text.askName}</label>
      <div>
        <input ref={box} id="parley-name" dir="auto" autocomplete="name" maxLength={DEFAULTS.maxNameLength} placeholder={text.yourName} aria-label={text.yourName} />
        <button type="submit">{text.start}</button>
      </div>
    </form>
  );
}
