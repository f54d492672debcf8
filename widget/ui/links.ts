/** A piece of message text: plain text, or a link that is safe to open. */
export type Piece = string | { href: string; text: string };

// Anchored on the scheme (or `www.`, which becomes https): nothing else can ever become a link.
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
// Sentence punctuation after a link ("see https://x.com.") is not part of it.
const TRAILING_RE = /[.,;:!?)\]}]+$/;

/**
 * Splits text into plain pieces and links. Only `http:` and `https:` URLs become links, so
 * `javascript:` or `data:` text stays text; the UI renders every piece as a text node.
 */
export function splitLinks(text: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const raw = m[0].replace(TRAILING_RE, '');
    let href: string;
    try {
      href = new URL(/^www\./i.test(raw) ? `https://${raw}` : raw).href;
    } catch {
      continue; // Not a parsable URL ("http://["): leave it as text.
    }
    if (m.index! > last) out.push(text.slice(last, m.index));
    out.push({ href, text: raw });
    last = m.index! + raw.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
