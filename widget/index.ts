import { effect } from '@preact/signals-core';
import { safeStorage } from './client/storage';
import { mount } from './mount';
import { isRtl, loadPack, pickLocale } from './locale';
import { readOptions, socketUrl, type Config } from './options';
import { createChat, type ChatEvents } from './state/chat';
import { attention } from './ui/attention';
import { createUi } from './ui/ui-state';

/** The page's handle on the widget: `window.Parley`. */
export interface ParleyApi {
  open(): void;
  close(): void;
  toggle(): void;
  /** Switches to a user token from the site's backend (or back to guest without one). */
  identify(o: { token?: string }): void;
  /** Events: message, unread, open, close, status. Returns the unsubscribe function. */
  on<K extends keyof ChatEvents>(event: K, fn: (payload: ChatEvents[K]) => void): () => void;
  destroy(): void;
}

declare global {
  interface Window {
    Parley?: ParleyApi;
    ParleyConfig?: Config;
  }
}

function start(script: HTMLScriptElement | null) {
  const o = readOptions(script, window.ParleyConfig);
  if (!o.key) {
    console.error('Parley: no publishable key; add data-key="pk_…" to the script tag');
    return;
  }
  const chat = createChat({
    url: socketUrl(o),
    api: o.api,
    key: o.key,
    room: o.room,
    token: o.token,
    tokenUrl: o.tokenUrl,
    name: o.name,
    WebSocket,
    storage: safeStorage(() => localStorage),
  });
  const locale = pickLocale(o.locale);
  const rtl = isRtl(locale);
  const ui = createUi({
    chat,
    text: o.text,
    // The launcher sits where the reading direction ends, unless the site chose a corner.
    left: o.position ? o.position === 'bottom-left' : rtl,
    rtl,
    locale,
    askName: o.askName && !o.token && !o.tokenUrl && !chat.named(),
    open: o.open,
    onOpen: (open) => chat.emit(open ? 'open' : 'close', undefined),
  });
  let live = true;
  let unmount = () => {};
  // Shown once its language is here (English at once): no flash of English on a German page.
  void loadPack(o.api, locale)
    .catch((err: Error) => {
      console.warn(`Parley: the "${locale}" texts did not load (${err.message}); showing English`);
      return null;
    })
    .then((pack) => {
      if (!live) return;
      Object.assign(ui.text, pack, o.overrides);
      unmount = mount(ui, o.color, o.theme);
    });
  const stopUnread = effect(() => chat.emit('unread', chat.unread.value));
  const stopAttention = attention(chat, ui, o.sound);
  const network = () => chat.setOnline(navigator.onLine);
  addEventListener('online', network);
  addEventListener('offline', network);
  network();
  chat.start();

  window.Parley = {
    open: () => ui.setOpen(true),
    close: () => ui.setOpen(false),
    toggle: () => ui.setOpen(!ui.open.peek()),
    identify: (next) => chat.identify(next),
    on: chat.on,
    destroy() {
      if (!live) return;
      live = false;
      removeEventListener('online', network);
      removeEventListener('offline', network);
      stopUnread();
      stopAttention();
      chat.stop();
      unmount();
      delete window.Parley;
    },
  };
}

// A page that includes the script twice (a CMS block and a tag manager) gets one widget.
if (!window.Parley) start(document.currentScript as HTMLScriptElement | null ?? document.querySelector('script[data-key]'));
