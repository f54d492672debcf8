/** Error codes carried by `error` frames and HTTP error bodies (PROTOCOL.md, "Errors"). */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'rate_limited',
  'rejected',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for each error code, used by the HTTP API's single error mapper. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rejected: 422,
  rate_limited: 429,
  internal: 500,
};

/** WebSocket close codes. 4000–4499: reconnect with backoff; 4500–4999: do not reconnect. */
export const CLOSE = {
  shuttingDown: 1001,
  tooBig: 1009,
  helloTimeout: 4008,
  flooding: 4029,
  tooSlow: 4050,
  authFailed: 4501,
  banned: 4503,
  revoked: 4504,
} as const;

/** True when a close code tells the client not to reconnect on its own. */
export const isTerminalClose = (code: number): boolean => code >= 4500 && code <= 4999;
