import { asteriskCensorStrategy, englishDataset, englishRecommendedTransformers, RegExpMatcher, TextCensor } from 'obscenity';
import type { TenantSettings } from '../protocol';
import { ChatError } from './errors';

/**
 * Markup that runs code where a client renders text as HTML: script-like elements, inline
 * event handlers inside a tag, and script URLs. Parley's widget renders text nodes only, but
 * tenants also show messages in their own pages and apps, so the server refuses these for
 * everyone. Mentions of them in prose ("use onload", "a < b > c", "I <3 js") pass.
 */
const EXECUTABLE = [
  /<\s*\/?\s*(script|iframe|frame|object|embed|applet|base|meta|link|style|svg|math|template|form)\b/i,
  /<[a-z][^>]*\s(on[a-z]+|formaction|srcdoc)\s*=/i,
  // A script URL as a link would hold it: the scheme right before its code, as a tag
  // attribute's value, or as a Markdown link target. ("JavaScript: The Good Parts" passes.)
  /\b(javascript|vbscript|livescript):\S/i,
  /\b(href|src|action|formaction|xlink:href)\s*=\s*["']?\s*(javascript|vbscript|livescript|data)\s*:/i,
  /\]\(\s*(javascript|vbscript|livescript|data)\s*:/i,
  /\bdata\s*:\s*(text\/html|image\/svg|application\/(x-)?javascript)/i,
];

/** Whether a text holds markup or a URL that could run code (see EXECUTABLE). */
export const isExecutable = (text: string): boolean => EXECUTABLE.some((re) => re.test(text));

export type ContentRules = ReturnType<typeof createContentRules>;

/**
 * A tenant's content rules for a message about to be stored: executable content is refused
 * (`rejected`) unless the tenant allows it; profanity is left, masked with asterisks, or
 * refused, as the tenant chose. Returns the text to store.
 */
export function createContentRules() {
  // Built once: obscenity compiles its word list into one matcher (about 40 µs a message).
  let matcher: RegExpMatcher | null = null;
  const censor = new TextCensor().setStrategy(asteriskCensorStrategy());
  const profanityIn = (text: string) => {
    matcher ??= new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
    return matcher.getAllMatches(text, true);
  };
  return {
    apply(settings: Pick<TenantSettings, 'rejectExecutable' | 'profanity'>, text: string): string {
      if (settings.rejectExecutable && isExecutable(text))
        throw new ChatError('rejected', 'messages may not contain scripts, event handlers or script URLs');
      if (settings.profanity === 'off') return text;
      const found = profanityIn(text);
      if (!found.length) return text;
      if (settings.profanity === 'reject') throw new ChatError('rejected', 'this message contains words this site does not allow');
      return censor.applyTo(text, found);
    },
  };
}
