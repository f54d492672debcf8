import type { ErrorCode } from '../protocol';

/**
 * A failure with a stable code and a message for people. Whether retrying can help follows from
 * the code (PROTOCOL.md: `internal` and `rate_limited`, the latter after `retryAfterMs`).
 */
export class ChatError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, opts: { retryAfterMs?: number } = {}) {
    super(message);
    this.code = code;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Turns anything thrown into a ChatError; unknown failures become `internal`. */
export function toChatError(err: unknown): ChatError {
  if (err instanceof ChatError) return err;
  return new ChatError('internal', 'the server failed; retry with the same id');
}
