import type { ErrorCode } from './codes';
import { CLIENT_FRAMES, type FieldSpec } from './frame-table';
import type { ClientFrame, ClientFrameType } from './frames';
import { DEFAULTS } from './limits';
import { textProblem } from './text';

/** What the decoder returns: a frame, or a coded error with the `rid` when one could be read. */
export type Decoded =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: ErrorCode; message: string; rid?: string };

type Obj = Record<string, unknown>;

/** What is wrong with one field's value under its spec (frame-table.ts), or null. */
function problem(spec: FieldSpec, v: unknown): string | null {
  if ('const' in spec) return v === spec.const ? null : `must be ${spec.const}`;
  if ('enum' in spec) return typeof v === 'string' && spec.enum.includes(v) ? null : `must be one of ${spec.enum.join(', ')}`;
  switch (spec.type) {
    case 'string':
      if (typeof v !== 'string') return 'must be a string';
      if (spec.maxLength !== undefined && v.length > spec.maxLength) return `is longer than ${spec.maxLength}`;
      // Every string field is clean text (text.ts) before any other rule looks at it.
      return textProblem(v) ?? (spec.pattern && !spec.pattern.test(v) ? 'is malformed' : null);
    case 'integer': {
      const { minimum: min, maximum: max } = spec;
      if (Number.isSafeInteger(v) && (v as number) >= min && (max === undefined || (v as number) <= max)) return null;
      return max !== undefined ? `must be an integer from ${min} to ${max}` : min === 0 ? 'must be a non-negative integer' : `must be an integer of at least ${min}`;
    }
    case 'boolean':
      return typeof v === 'boolean' ? null : 'must be a boolean';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && v >= spec.minimum ? null : `must be a number of at least ${spec.minimum}`;
    default:
      // Lists and objects appear only in server frames.
      return null;
  }
}

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
  if (typeof type !== 'string' || !Object.hasOwn(CLIENT_FRAMES, type)) return bad(`unknown frame type ${JSON.stringify(type)}`, rid);
  const spec = CLIENT_FRAMES[type as ClientFrameType];
  for (const [field, [fieldSpec, required]] of Object.entries(spec.fields)) {
    const v = o[field];
    if (v === undefined || v === null) {
      if (required) return bad(`${type}.${field} is required`, rid);
      continue;
    }
    const wrong = problem(fieldSpec, v);
    if (wrong) return bad(`${type}.${field} ${wrong}`, rid);
  }
  if (spec.oneOf && spec.oneOf.every((f) => o[f] == null)) return bad(`${type} needs ${spec.oneOf.join(' or ')}`, rid);
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
