import { ChatError } from '../chat/errors';
import { ROOM_RE } from '../protocol';

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
  return user;
}

export function roomParam(room: string) {
  if (!ROOM_RE.test(room)) throw bad('room is malformed');
  return room;
}
