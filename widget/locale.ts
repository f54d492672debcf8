import { TEXT, type Text } from './ui/text';

/** Languages with a pack besides the built-in English (widget/locales/<lang>.json). */
export const PACKS = ['de', 'fr', 'es', 'ar'];
const RTL_LANGS = /^(ar|he|fa|ur)\b/;

/** The widget's language: `locale` when set, else the page's `<html lang>`, else English. */
export const pickLocale = (set?: string): string => (set || document.documentElement.lang || 'en').toLowerCase();

/** Right-to-left when the language is, or when the page is (`<html dir="rtl">`). */
export const isRtl = (locale: string): boolean => RTL_LANGS.test(locale) || document.dir === 'rtl';

/**
 * The strings for `locale`, loaded on demand from the API so English pages carry no other
 * language's bytes; null for English or a language without a pack. Only known keys with string
 * values are taken, so a wrong file cannot put anything but text into the widget.
 */
export async function loadPack(api: string, locale: string, get: typeof fetch = fetch): Promise<Partial<Text> | null> {
  const lang = locale.split('-')[0];
  if (!PACKS.includes(lang)) return null;
  const res = await get(`${api}/widget/locales/${lang}.json`, { credentials: 'omit' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const raw = await res.json();
  const pack: Record<string, string> = {};
  for (const k in TEXT) if (typeof raw?.[k] === 'string') pack[k] = raw[k];
  return pack as Partial<Text>;
}
