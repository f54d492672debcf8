import { useRef } from 'preact/hooks';
import { Launcher } from './launcher';
import { Panel } from './panel';
import type { Ui } from './ui-state';

/** The whole widget: the launcher, and the panel while open. */
export function App({ ui }: { ui: Ui }) {
  const launcher = useRef<HTMLButtonElement>(null);
  const open = ui.open.value;
  // Closing from inside the panel (Escape, ×) hands focus back to the launcher, not to <body>.
  const close = () => {
    ui.setOpen(false);
    launcher.current?.focus();
  };
  return (
    <div class={`root${ui.left ? ' left' : ''}${open ? ' open' : ''}`} dir={ui.rtl ? 'rtl' : 'ltr'} lang={ui.locale} onKeyDown={(e) => e.key === 'Escape' && open && close()}>
      {open && <Panel ui={ui} close={close} />}
      <Launcher ui={ui} buttonRef={launcher} />
    </div>
  );
}
