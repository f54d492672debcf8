import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ChatError } from '../chat/errors';
import { HTTP_STATUS, type ErrorCode } from '../protocol';

/** The one mapping from thrown errors to `{ error: { code, message } }` HTTP answers. */
export function onError(log: (msg: string, err?: unknown) => void) {
  return (err: Error, c: Context) => {
    if (err instanceof ChatError) {
      if (err.retryAfterMs) c.header('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
      return c.json({ error: { code: err.code, message: err.message } }, HTTP_STATUS[err.code] as 400);
    }
    if (err instanceof HTTPException && err.status < 500) {
      // Keep the code-to-status table of PROTOCOL.md: a status with a code of its own keeps it.
      const code = (Object.keys(HTTP_STATUS) as ErrorCode[]).find((k) => HTTP_STATUS[k] === err.status) ?? 'bad_request';
      return c.json({ error: { code, message: err.message || code } }, HTTP_STATUS[code] as 400);
    }
    log('request failed', err);
    return c.json({ error: { code: 'internal', message: 'the server failed' } }, 500);
  };
}

/** Reads a JSON object body or throws `bad_request`. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ChatError('bad_request', 'body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ChatError('bad_request', 'body must be a JSON object');
  return body as Record<string, unknown>;
}
