import { signal, type ReadonlySignal } from '@preact/signals-core';

/** Others shown as typing for at most this long without news (PROTOCOL.md). */
export const TYPING_SHOWN_MS = 5000;
/** After `active: true`, we send nothing more for this long, and `active: false` after this much idle. */
export const TYPING_IDLE_MS = 3000;

/** Who else is typing: names in the order they started. */
export interface Typists {
  readonly names: ReadonlySignal<string[]>;
  set(user: string, name: string, active: boolean): void;
  clear(): void;
}

/** Tracks others' typing; each entry disappears after 5 s without a refresh. */
export function createTypists(): Typists {
  const who = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();
  const names = signal<string[]>([]);
  const publish = () => (names.value = [...who.values()].map((t) => t.name));
  const remove = (user: string) => {
    clearTimeout(who.get(user)?.timer);
    if (who.delete(user)) publish();
  };
  return {
    names,
    set(user, name, active) {
      const had = who.get(user);
      clearTimeout(had?.timer);
      if (!active) return remove(user);
      // A lost `active: false` must not leave someone "typing" forever.
      who.set(user, { name, timer: setTimeout(() => remove(user), TYPING_SHOWN_MS) });
      if (had?.name !== name) publish();
    },
    clear() {
      for (const user of [...who.keys()]) remove(user);
    },
  };
}

/** Our own typing: `send(true)` on the first keystroke, refreshed every 3 s, `send(false)` after 3 s idle. */
export function createTypingSender(send: (active: boolean) => boolean) {
  let sentAt = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    clearTimeout(idle);
    if (sentAt) {
      sentAt = 0;
      send(false);
    }
  };
  return {
    /** Call on every keystroke that changes the text. */
    typed() {
      const now = Date.now();
      if (now - sentAt >= TYPING_IDLE_MS && send(true)) sentAt = now;
      clearTimeout(idle);
      idle = setTimeout(stop, TYPING_IDLE_MS);
    },
    /** Call on send, blur or teardown. */
    stop,
  };
}
