import type { ErrorCode } from './codes';
import type { ClientFrame } from './frames';
import { DEFAULTS, MESSAGE_ID_RE, ROOM_RE } from './limits';
import { textProblem } from './text';

/** What the decoder returns: a frame, or a coded error with the `rid` when one could be read. */
export type Decoded =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: ErrorCode; message: string; rid?: string };

type Obj = Record<string, unknown>;
type Check = (v: unknown) => string | null;

// Every string field is clean text (text.ts) before any other rule looks at it.
const str = (re?: RegExp, max = Infinity): Check => (v) =>
  typeof v !== 'string'
    ? 'must be a string'
    : v.length > max
      ? `is longer than ${max}`
      : (textProblem(v) ?? (re && !re.test(v) ? 'is malformed' : null));
const room = str(ROOM_RE);
const msgId = str(MESSAGE_ID_RE);
const userId = str(/^[^\s\u0000-\u001f]{1,128}$/);
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'must be a boolean');
const seq: Check = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? null : 'must be a non-negative integer');
const limit: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 1 && (v as number) <= DEFAULTS.maxHistoryLimit
    ? null
    : `must be an integer from 1 to ${DEFAULTS.maxHistoryLimit}`;
const anyText = str(undefined);
const token = str(undefined, 8192);
const name = str(undefined, 256);
const reason = str(undefined, 1000);

// Field rules per frame type: [field, check, required]. Unknown fields are ignored so clients
// can be extended without breaking older servers.
const SHAPES: Record<ClientFrame['type'], [string, Check, boolean][]> = {
  hello: [['token', token, false], ['name', name, false], ['batch', bool, false]],
  join: [['room', room, true], ['lastSeq', seq, false], ['cursor', seq, false], ['limit', limit, false]],
  leave: [['room', room, true]],
  message: [['room', room, true], ['id', msgId, true], ['text', anyText, true]],
  typing: [['room', room, true], ['active', bool, true]],
  read: [['room', room, true], ['lastSeq', seq, true]],
  sync: [['room', room, true], ['lastSeq', seq, false], ['cursor', seq, false], ['limit', limit, false]],
  history: [['room', room, true], ['beforeSeq', seq, true], ['limit', limit, false]],
  ping: [],
  delete: [['room', room, true], ['id', msgId, true]],
  report: [['room', room, true], ['id', msgId, true], ['reason', reason, false]],
  block: [['user', userId, true]],
  unblock: [['user', userId, true]],
  refresh: [['token', token, true]],
};

const bad = (message: string, rid?: string): Decoded => ({ ok: false, code: 'bad_request', message, rid });

/** Validates an already-parsed value as a client frame. */
export function validateFrame(value: unknown): Decoded {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('frame must be a JSON object');
  const o = value as Obj;
  let rid: string | undefined;
  if (o.rid !== undefined) {
    if (typeof o.rid !== 'string' || o.rid.length > DEFAULTS.maxRidLength || textProblem(o.rid))
      return bad('rid must be clean text of at most 64 characters');
    rid = o.rid;
  }
  const type = o.type;
  if (typeof type !== 'string' || !Object.hasOwn(SHAPES, type)) return bad(`unknown frame type ${JSON.stringify(type)}`, rid);
  for (const [field, check, required] of SHAPES[type as ClientFrame['type']]) {
    const v = o[field];
    if (v === undefined || v === null) {
      if (required) return bad(`${type}.${field} is required`, rid);
      continue;
    }
    const problem = check(v);
    if (problem) return bad(`${type}.${field} ${problem}`, rid);
  }
  if (type === 'sync' && o.lastSeq == null && o.cursor == null) return bad('sync needs lastSeq or cursor', rid);
  return { ok: true, frame: o as unknown as ClientFrame };
}

/** Turns any text received on the socket into a client frame or a coded error; never throws. */
export function decodeFrame(raw: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return bad('frame is not valid JSON');
  }
  return validateFrame(value);
}
