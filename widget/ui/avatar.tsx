/** Up to two initials: "Ann Lee" → "AL", "bob" → "B", "李小龙" → "李". */
export const initials = (name: string): string =>
  name
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => [...w][0] ?? '')
    .join('')
    .toUpperCase();

/** A colour of its own for each user id, the same on every page and device. */
export function userColor(user: string): string {
  let h = 0;
  for (let i = 0; i < user.length; i++) h = (h * 31 + user.charCodeAt(i)) | 0;
  // Mid lightness and saturation: white initials stay readable on every hue, light or dark theme.
  return `hsl(${((h % 360) + 360) % 360},55%,42%)`;
}

/** The round initials badge beside a name. */
export const Avatar = ({ user, name }: { user: string; name: string }) => (
  <span class="av" aria-hidden="true" style={{ background: userColor(user) }}>
    {initials(name) || '?'}
  </span>
);
