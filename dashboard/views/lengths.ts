/** Lengths a moderator picks for a mute or ban, in minutes ('' is without end). */
export const LENGTHS = [
  ['60', '1 hour'],
  ['1440', '24 hours'],
  ['10080', '7 days'],
  ['', 'Forever'],
] as const;

/** "for 1 hour", "for good": how a length reads in a sentence. */
export const lengthWords = (v: string) => (v ? `for ${LENGTHS.find(([m]) => m === v)![1].toLowerCase()}` : 'for good');
