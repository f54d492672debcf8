/** "Today", "Yesterday", "Monday, 3 March", or with the year when it is not this one. */
export function dayLabel(ts: number, locale: string, now = Date.now()): string {
  const d = new Date(ts);
  const days = Math.round((new Date(now).setHours(0, 0, 0, 0) - new Date(ts).setHours(0, 0, 0, 0)) / 864e5);
  if (days >= 0 && days < 2) {
    // The browser's own words in the widget's language ("today", "hier", "أمس"), capitalised.
    const s = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-days, 'day');
    return s[0].toLocaleUpperCase(locale) + s.slice(1);
  }
  const year = d.getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric';
  return d.toLocaleDateString(locale, { weekday: 'long', day: 'numeric', month: 'long', year });
}

