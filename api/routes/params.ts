import { ROOM_RE, textProblem } from '../protocol';

// Checks of what HTTP callers send, shared by the API's route files.

import { bad } from './openapi-route';

export { bad };

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
