/** Room names: 1–64 characters of [A-Za-z0-9_.:-]. */
export const ROOM_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Message ids: 1–64 characters of [A-Za-z0-9_-], chosen by the client. */
export const MESSAGE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The longest mute or ban with an end: ten years, in minutes (a frame's or a request's `minutes`). */
export const MAX_SANCTION_MINUTES = 5_256_000;
/** `welcome` lists at most this many of the user's blocks (all of them apply). */
export const MAX_WELCOME_BLOCKS = 200;

export const DEFAULTS = {
  heartbeatMs: 15_000,
  helloTimeoutMs: 10_000,
  maxFrameBytes: 64 * 1024,
  maxTextLength: 4000,
  messagesPerSecond: 5,
  burst: 10,
  historyLimit: 50,
  maxHistoryLimit: 200,
  maxRidLength: 64,
  maxNameLength: 64,
  /** Bad or rate-limited frames tolerated within `floodWindowMs` before close 4029. */
  floodMaxFrames: 20,
  floodWindowMs: 10_000,
  /**
   * The longest a pre-send hook may take: well below the 10 s a client waits for an answer
   * (the widget's ANSWER_TIMEOUT_MS), so a late hook is a refusal or a pass, never a dead socket.
   */
  maxPreSendTimeoutMs: 5000,
} as const;

/** Counts Unicode code points, the unit of `maxTextLength`. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
