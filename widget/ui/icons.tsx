// Inline SVG paths: no requests, no icon font for a page's CSS to break.
const icon = (d: string) => (
  <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path d={d} />
  </svg>
);

export const chatIcon = () => icon('M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z');
export const closeIcon = () => icon('M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z');
export const sendIcon = () => icon('M2 21 23 12 2 3v7l15 2-15 2z');
