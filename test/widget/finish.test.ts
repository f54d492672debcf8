import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { loadPack, PACKS } from '../../widget/locale';
import { readOptions } from '../../widget/options';
import { initials, userColor } from '../../widget/ui/avatar';
import { dayLabel } from '../../widget/ui/day-label';
import { splitLinks } from '../../widget/ui/links';
import { TEXT } from '../../widget/ui/text';

const pack = (lang: string) => JSON.parse(readFileSync(new URL(`../../widget/locales/${lang}.json`, import.meta.url), 'utf8'));

describe('locale packs', () => {
  it.each(PACKS)('%s has every English key, no other, with the same placeholders', (lang) => {
    const p = pack(lang);
    expect(Object.keys(p).sort()).toEqual(Object.keys(TEXT).sort());
    for (const [k, en] of Object.entries(TEXT)) {
      expect(p[k], `${lang}.${k}`).not.toBe('');
      expect(p[k].match(/\{\w+\}/g) ?? [], `${lang}.${k}`).toEqual(en.match(/\{\w+\}/g) ?? []);
    }
  });

  it('loads a pack on demand, takes only known string keys, and none for English', async () => {
    const get = vi.fn(async () => new Response(JSON.stringify({ send: 'Senden', evil: 'x', open: { not: 'text' } })));
    expect(await loadPack('https://api.test', 'de-AT', get as never)).toEqual({ send: 'Senden' });
    expect(get).toHaveBeenCalledWith('https://api.test/widget/locales/de.json', { credentials: 'omit' });
    expect(await loadPack('https://api.test', 'en-GB', get as never)).toBeNull();
    expect(await loadPack('https://api.test', 'ja', get as never)).toBeNull();
    expect(get).toHaveBeenCalledTimes(1);
    await expect(loadPack('x', 'fr', (async () => new Response('', { status: 404 })) as never)).rejects.toThrow('HTTP 404');
  });
});

describe('finish', () => {
  it('links www. addresses over https, and still nothing but http(s)', () => {
    expect(splitLinks('see www.example.com/a, or awww.no')).toEqual(['see ', { href: 'https://www.example.com/a', text: 'www.example.com/a' }, ', or awww.no']);
    expect(splitLinks('www.javascript:alert(1)')).toEqual(['www.javascript:alert(1)']);
  });

  it('initials and a colour that stays with the user', () => {
    expect([initials('Ann Lee'), initials('bob'), initials('  jean  luc picard '), initials('李小龙'), initials('😀 x')]).toEqual(['AL', 'B', 'JL', '李', '😀X']);
    expect(userColor('u-1')).toBe(userColor('u-1'));
    expect(new Set(['u-1', 'u-2', 'u-3', 'guest_ab', 'guest_cd'].map(userColor)).size).toBe(5);
    expect(userColor('x')).toMatch(/^hsl\(\d{1,3},55%,42%\)$/);
  });

  it('reads locale, theme and ask-name; the corner is left to the reading direction unless set', () => {
    const s = (dataset: Record<string, string>) => ({ src: 'https://c.example/widget.js', dataset }) as unknown as HTMLScriptElement;
    const o = readOptions(s({ key: 'k', locale: 'ar', theme: 'dark', askName: '' }), {}, 'https://p.example/');
    expect([o.locale, o.theme, o.askName, o.position]).toEqual(['ar', 'dark', true, undefined]);
    expect(readOptions(s({ key: 'k', theme: 'neon', position: 'top' }), {}, 'https://p.example/')).toMatchObject({ theme: 'auto', position: undefined });
    // The site's text overrides go over a language pack, kept apart from the English defaults.
    expect(readOptions(s({ key: 'k', textSend: 'Go' }), {}, 'https://p.example/').overrides).toEqual({ send: 'Go' });
  });
});

describe('day separators', () => {
  const now = new Date(2026, 10, 30, 9, 0).getTime();
  it('say today and yesterday in the widget language, then the date, with the year only when it is another', () => {
    expect(dayLabel(new Date(2026, 10, 30, 0, 5).getTime(), 'en', now)).toBe('Today');
    expect(dayLabel(new Date(2026, 10, 29, 23, 59).getTime(), 'en', now)).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 10, 29, 12).getTime(), 'de', now)).toBe('Gestern');
    expect(dayLabel(new Date(2026, 10, 27).getTime(), 'en', now)).toBe('Friday, November 27');
    expect(dayLabel(new Date(2025, 0, 2).getTime(), 'en', now)).toBe('Thursday, January 2, 2025');
    expect(dayLabel(new Date(2026, 10, 30).getTime(), 'fr', now)).toBe("Aujourd’hui");
  });
});
