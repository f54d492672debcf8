import { TEXT, type Text } from './ui/text';

/** Embedding options, from `data-` attributes of the script tag and `window.ParleyConfig`. */
export interface Options {
  key: string;
  room: string;
  /** API origin; the origin of the script's own `src` unless given. */
  api: string;
  token?: string;
  tokenUrl?: string;
  name?: string;
  /** Unset: the corner at the end of the reading direction (right, or left on an RTL page). */
  position?: 'bottom-right' | 'bottom-left';
  color?: string;
  open: boolean;
  /** A short tone for new messages while the panel is closed; off unless `data-sound`. */
  sound: boolean;
  /** A language tag (`de`, `ar-EG`); unset: the page's `<html lang>`. */
  locale?: string;
  theme: 'light' | 'dark' | 'auto';
  /** Asks a guest for a name before their first message. */
  askName: boolean;
  /** English with the site's overrides; `overrides` alone go over a locale pack. */
  text: Text;
  overrides: Partial<Text>;
}

/** What a site may set in `window.ParleyConfig` (all optional; `title` is short for `text.title`). */
export type Config = Partial<Omit<Options, 'text' | 'overrides' | 'open' | 'sound' | 'askName'>> & {
  title?: string;
  open?: boolean | string;
  sound?: boolean | string;
  askName?: boolean | string;
  text?: Partial<Text>;
};

export const DEFAULT_ROOM = 'lobby';

// data-open and data-open="true" mean yes; data-open="false" does not.
const flag = (v: boolean | string | undefined) => v === true || v === '' || v === 'true';

/** Merges the script tag's `data-*` (data-key, data-token-url, data-text-placeholder, …) and `ParleyConfig`; the latter wins. */
export function readOptions(script: HTMLScriptElement | null, config: Config = {}, page = location.href): Options {
  const data = { ...script?.dataset } as Record<string, string>;
  const text: Record<string, string> = {};
  for (const k in data) if (/^text[A-Z]/.test(k)) text[k[4].toLowerCase() + k.slice(5)] = data[k];
  const c: Config = { ...(data as Config), ...config };
  const title = c.title ?? text.title;
  const overrides: Partial<Text> = { ...text, ...config.text, ...(title ? { title } : {}) };
  const api = c.api || (script?.src ? new URL(script.src, page).origin : new URL(page).origin);
  return {
    key: c.key ?? '',
    room: c.room || DEFAULT_ROOM,
    api: api.replace(/\/+$/, ''),
    token: c.token || undefined,
    tokenUrl: c.tokenUrl ? new URL(c.tokenUrl, page).href : undefined,
    name: c.name || undefined,
    position: c.position === 'bottom-left' || c.position === 'bottom-right' ? c.position : undefined,
    color: c.color || undefined,
    open: flag(c.open),
    sound: flag(c.sound),
    askName: flag(c.askName),
    locale: c.locale || undefined,
    theme: c.theme === 'light' || c.theme === 'dark' ? c.theme : 'auto',
    text: { ...TEXT, ...overrides },
    overrides,
  };
}

/** The WebSocket URL for an API origin and key. */
export const socketUrl = (o: Pick<Options, 'api' | 'key'>): string =>
  `${o.api.replace(/^http/, 'ws')}/v1/ws?key=${encodeURIComponent(o.key)}`;
