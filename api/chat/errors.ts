import type { ErrorCode } from '../protocol';

/** A failure with a stable code, a message for people, and whether retrying can help. */
export class ChatError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, opts: { retryAfterMs?: number } = {}) {
    super(message);
    this.code = code;
    this.retryAfterMs = opts.retryAfterMs;
  }

  /** True when the same request may succeed later unchanged. */
  get retryable(): boolean {
    return this.code === 'internal' || this.code === 'rate_limited';
  }
}

/** Turns anything thrown into a ChatError; unknown failures become `internal`. */
export function toChatError(err: unknown): ChatError {
  if (err instanceof ChatError) return err;
  return new ChatError('internal', 'the server failed; retry with the same id');
}
