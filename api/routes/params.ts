import { bodyLimit } from 'hono/body-limit';
import { ChatError } from '../chat/errors';
import { ROOM_RE, textProblem } from '../protocol';

// Checks of what HTTP callers send, shared by the API's route files.

export const bad = (message: string) => new ChatError('bad_request', message);

export function str(body: Record<string, unknown>, field: string, opts: { re?: RegExp; max?: number; optional?: boolean } = {}) {
  const v = body[field];
  if (v === undefined || v === null) {
    if (opts.optional) return undefined;
    throw bad(`${field} is required`);
  }
  if (typeof v !== 'string' || !v || v.length > (opts.max ?? 256) || (opts.re && !opts.re.test(v)))
    throw bad(`${field} is malformed`);
  return cleanText(v, field);
}

/** `v` unchanged when it is clean text (protocol/text.ts), as the socket's decoder requires. */
export function cleanText(v: string, field: string): string {
  const problem = textProblem(v);
  if (problem) throw bad(`${field} ${problem}`);
  return v;
}

export function intQuery(v: string | undefined, field: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw bad(`${field} must be an integer from ${min} to ${max}`);
  return n;
}

export function userParam(user: string) {
  if (!user || user.length > 128) throw bad('user is malformed');
  return cleanText(user, 'user');
}

export function roomParam(room: string) {
  if (!ROOM_RE.test(room)) throw bad('room is malformed');
  return room;
}

/** The token of an `Authorization: Bearer …` header (the scheme is case-insensitive), or null. */
export const bearer = (h: string | undefined) => /^Bearer +(\S+) *$/i.exec(h ?? '')?.[1] ?? null;

/** Refuses a body over `bytes` with `too_large` before buffering it. */
export const limitBody = (bytes: number) =>
  bodyLimit({
    maxSize: bytes,
    onError: (c) => {
      // The rest of the body is not read, so this connection cannot carry another request.
      c.header('Connection', 'close');
      throw new ChatError('too_large', `the body is larger than ${bytes / 1024} KiB`);
    },
  });
