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
  position: 'bottom-right' | 'bottom-left';
  color?: string;
  open: boolean;
  /** A short tone for new messages while the panel is closed; off unless `data-sound`. */
  sound: boolean;
  text: Text;
}

/** What a site may set in `window.ParleyConfig` (all optional; `title` is short for `text.title`). */
export type Config = Partial<Omit<Options, 'text' | 'open' | 'sound'>> & { title?: string; open?: boolean | string; sound?: boolean | string; text?: Partial<Text> };

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
  const api = c.api || (script?.src ? new URL(script.src, page).origin : new URL(page).origin);
  return {
    key: c.key ?? '',
    room: c.room || DEFAULT_ROOM,
    api: api.replace(/\/+$/, ''),
    token: c.token || undefined,
    tokenUrl: c.tokenUrl ? new URL(c.tokenUrl, page).href : undefined,
    name: c.name || undefined,
    position: c.position === 'bottom-left' ? 'bottom-left' : 'bottom-right',
    color: c.color || undefined,
    open: flag(c.open),
    sound: flag(c.sound),
    text: { ...TEXT, ...text, ...config.text, ...(title ? { title } : {}) },
  };
}

/** The WebSocket URL for an API origin and key. */
export const socketUrl = (o: Pick<Options, 'api' | 'key'>): string =>
  `${o.api.replace(/^http/, 'ws')}/v1/ws?key=${encodeURIComponent(o.key)}`;
