import { effect } from '@preact/signals-core';
import type { Chat } from '../state/chat';
import type { Ui } from './ui-state';

/**
 * Tells a visitor with the panel closed that someone wrote: "(2) " before the page's title
 * (restored on open), and with `sound` a short tone for each new message from someone else.
 * Returns the function that undoes it.
 */
export function attention(chat: Chat, ui: Ui, sound: boolean): () => void {
  // The page's own title, and the one we set: a single-page app may retitle the page meanwhile.
  let base = '';
  let ours = '';
  const stopTitle = effect(() => {
    const n = ui.open.value ? 0 : chat.unread.value;
    const now = document.title;
    if (n) {
      if (now !== ours) base = now;
      document.title = ours = `(${n > 99 ? '99+' : n}) ${base}`;
    } else if (ours) {
      if (now === ours) document.title = base;
      ours = '';
    }
  });
  let audio: AudioContext | undefined;
  const stopSound = chat.on('message', (m) => {
    if (!sound || chat.isOwn(m) || (ui.open.peek() && !document.hidden) || !window.AudioContext) return;
    // A browser lets a page play sound only after the visitor interacted with it; until then
    // the context stays suspended and the tone is silently not heard, which is the right default.
    audio ??= new AudioContext();
    const t = audio.currentTime;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, t);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + 0.25);
  });
  return () => {
    stopTitle();
    stopSound();
    if (ours && document.title === ours) document.title = base;
    void audio?.close();
  };
}
