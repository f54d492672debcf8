import { ERROR_CODES } from './codes';
import type { ClientFrameType, ServerFrameType } from './frames';
import { DEFAULTS, MAX_SANCTION_MINUTES, MAX_WELCOME_BLOCKS, MESSAGE_ID_RE, ROOM_RE } from './limits';

/**
 * The one declarative description of every frame: the decoder (decode.ts) checks client frames
 * by it, and the JSON Schema served at /v1/protocol.schema.json is made from it (json-schema.ts).
 * A field is a small JSON Schema fragment; strings are also clean text (text.ts) when decoded.
 */
export type FieldSpec =
  | { type: 'string'; pattern?: RegExp; maxLength?: number }
  | { type: 'integer'; minimum: number; maximum?: number }
  | { type: 'number'; minimum: number }
  | { type: 'boolean' }
  | { const: true }
  | { enum: readonly string[] }
  | { type: 'array'; items: FieldSpec; maxItems?: number }
  | { type: 'object'; fields: Fields };

/** Field name → [spec, required]. */
export type Fields = Record<string, readonly [FieldSpec, boolean]>;

export interface FrameSpec {
  fields: Fields;
  /** At least one of these fields must be present. */
  oneOf?: readonly string[];
  /** Answers carry the request's `rid` (client frames always may send one). */
  rid?: boolean;
}

const string = (maxLength?: number, pattern?: RegExp): FieldSpec => ({ type: 'string', ...(maxLength ? { maxLength } : {}), ...(pattern ? { pattern } : {}) });
const count: FieldSpec = { type: 'integer', minimum: 0 };
const room = string(undefined, ROOM_RE);
const msgId = string(undefined, MESSAGE_ID_RE);
const userId = string(undefined, /^[^\s\u0000-\u001f]{1,128}$/);
const bool: FieldSpec = { type: 'boolean' };
const limit: FieldSpec = { type: 'integer', minimum: 1, maximum: DEFAULTS.maxHistoryLimit };
const token = string(8192);
const req = (s: FieldSpec) => [s, true] as const;
const opt = (s: FieldSpec) => [s, false] as const;
const sanction: FrameSpec = {
  fields: { user: req(userId), reason: opt(string(500)), minutes: opt({ type: 'integer', minimum: 1, maximum: MAX_SANCTION_MINUTES }) },
};

/** Every frame a client may send; unknown fields are ignored (clients may be newer). */
export const CLIENT_FRAMES: Record<ClientFrameType, FrameSpec> = {
  hello: { fields: { token: opt(token), name: opt(string(256)), batch: opt(bool) } },
  join: { fields: { room: req(room), lastSeq: opt(count), cursor: opt(count), limit: opt(limit) } },
  leave: { fields: { room: req(room) } },
  message: { fields: { room: req(room), id: req(msgId), text: req(string()) } },
  typing: { fields: { room: req(room), active: req(bool) } },
  read: { fields: { room: req(room), lastSeq: req(count) } },
  sync: { fields: { room: req(room), lastSeq: opt(count), cursor: opt(count), limit: opt(limit) }, oneOf: ['lastSeq', 'cursor'] },
  history: { fields: { room: req(room), beforeSeq: req(count), limit: opt(limit) } },
  ping: { fields: {} },
  delete: { fields: { room: req(room), id: req(msgId) } },
  report: { fields: { room: req(room), id: req(msgId), reason: opt(string(1000)) } },
  block: { fields: { user: req(userId) } },
  unblock: { fields: { user: req(userId) } },
  mute: sanction,
  ban: sanction,
  unmute: { fields: { user: req(userId) } },
  unban: { fields: { user: req(userId) } },
  refresh: { fields: { token: req(token) } },
};

const str = string();
const wireMessage: FieldSpec = {
  type: 'object',
  fields: { id: req(str), seq: req(count), ts: req(count), user: req(str), name: opt(str), text: opt(str), deleted: opt({ const: true }) },
};
const messages: FieldSpec = { type: 'array', items: wireMessage };
const who = { user: req(str), name: req(str) };

/** Every frame the server sends, exactly: a field not listed here is a bug in the server or here. */
export const SERVER_FRAMES: Record<ServerFrameType, FrameSpec> = {
  welcome: {
    rid: true,
    fields: {
      user: req(str),
      name: req(str),
      role: req({ enum: ['member', 'moderator'] }),
      guestToken: opt(str),
      heartbeatMs: req(count),
      limits: req({
        type: 'object',
        fields: { maxTextLength: req(count), maxFrameBytes: req(count), messagesPerSecond: req({ type: 'number', minimum: 0 }), burst: req(count) },
      }),
      expiresAt: req(count),
      blocked: opt({ type: 'array', items: str, maxItems: MAX_WELCOME_BLOCKS }),
    },
  },
  refreshed: { rid: true, fields: { expiresAt: req(count) } },
  joined: {
    rid: true,
    fields: {
      room: req(str),
      headSeq: req(count),
      messages: req(messages),
      hasMore: req(bool),
      online: req(count),
      presence: req({ type: 'array', items: { type: 'object', fields: who }, maxItems: 100 }),
      reads: req({ type: 'array', items: { type: 'object', fields: { user: req(str), lastSeq: req(count) } } }),
      lastRead: req(count),
      cursor: req(count),
      reset: opt({ const: true }),
    },
  },
  left: { rid: true, fields: { room: req(str) } },
  ack: {
    rid: true,
    fields: { room: opt(str), id: opt(str), user: opt(str), seq: opt(count), ts: opt(count), duplicate: opt({ const: true }), text: opt(str) },
  },
  history: {
    rid: true,
    fields: { room: req(str), messages: req(messages), hasMore: req(bool), headSeq: req(count), cursor: opt(count), reset: opt({ const: true }) },
  },
  pong: { rid: true, fields: { ts: req(count) } },
  error: { rid: true, fields: { code: req({ enum: ERROR_CODES }), message: req(str), retryAfterMs: opt(count), room: opt(str) } },
  message: {
    fields: { room: req(str), id: req(str), seq: req(count), ts: req(count), user: req(str), name: req(str), text: req(str), cursor: req(count) },
  },
  deleted: { fields: { room: req(str), id: req(str), seq: req(count), cursor: req(count) } },
  typing: { fields: { room: req(str), ...who, active: req(bool) } },
  presence: { fields: { room: req(str), ...who, status: req({ enum: ['online', 'offline'] }) } },
  read: { fields: { room: req(str), user: req(str), lastSeq: req(count) } },
};
