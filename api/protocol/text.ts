/**
 * Text a person sets (messages, display names, report reasons, ids) must be something every
 * store and every client can hold: Postgres refuses U+0000 in `text` and `jsonb` and a lone
 * surrogate is not UTF-8 at all, so one such string once failed a whole room's batch of other
 * people's messages. C0 controls other than newline and tab are refused too: they have no
 * business in chat and some terminals and logs act on them.
 */
const UNCLEAN = /[\u0000-\u0008\u000b-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `s` is well-formed Unicode without NUL or C0 controls other than `\n` and `\t`. */
export const isCleanText = (s: string): boolean => !UNCLEAN.test(s);

/** Why `s` is refused, or null when it is clean (for `bad_request` messages). */
export const textProblem = (s: string): string | null =>
  isCleanText(s) ? null : 'holds a control character or invalid Unicode (NUL, lone surrogate, C0 other than newline and tab)';
