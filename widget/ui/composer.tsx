import { useEffect, useRef } from 'preact/hooks';
import { codePointLength } from '../../api/protocol';
import { sendIcon } from './icons';
import { fmt } from './text';
import type { Ui } from './ui-state';

/** The text box: Enter sends, Shift+Enter breaks the line; a counter shows near the limit. */
export function Composer({ ui }: { ui: Ui }) {
  const { chat, text, draft } = ui;
  const box = useRef<HTMLTextAreaElement>(null);
  const value = draft.value;
  const max = chat.limits.value.maxTextLength;
  const left = max - codePointLength(value);
  const dead = chat.dead.value;

  const fit = () => {
    const t = box.current!;
    t.style.height = 'auto';
    t.style.height = `${t.scrollHeight + 2}px`;
  };
  useEffect(() => {
    if (ui.focus) box.current!.focus();
    fit();
  }, []);

  const submit = () => {
    if (!dead && left >= 0 && chat.send(value)) {
      draft.value = '';
      requestAnimationFrame(fit);
    }
  };

  return (
    <>
      {dead && (
        <div class="dead" role="status">
          {(dead === 'muted' && chat.deadWhy.value) || text[dead]}
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <textarea
          ref={box}
          rows={1}
          aria-label={text.message}
          dir="auto"
          placeholder={text.placeholder}
          value={value}
          // Disabled, not emptied: what the visitor typed stays in the box.
          disabled={!!dead}
          onInput={(e) => {
            draft.value = e.currentTarget.value;
            chat.typed();
            fit();
          }}
          onKeyDown={(e) => {
            // isComposing: Enter that confirms an IME candidate (Japanese, Chinese…) is not "send".
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" class="send" aria-label={text.send} disabled={!!dead || !value.trim() || left < 0}>
          {sendIcon()}
        </button>
      </form>
      {left <= Math.max(20, max / 10) && (
        <div class={`count${left < 0 ? ' over' : ''}`} aria-live="polite">
          {fmt(text.left, { n: left })}
        </div>
      )}
    </>
  );
}
