import { protocolJsonSchema } from '../../api/protocol';

type Schema = Record<string, any>;

/**
 * A small JSON Schema checker for the keywords protocolJsonSchema uses ($ref into $defs, oneOf,
 * anyOf, const, enum, type, properties, required, additionalProperties, items, maxItems,
 * maxLength, pattern, minimum, maximum). Returns the problems, none when the value fits.
 */
export function check(root: Schema, schema: Schema, v: unknown, at = '$'): string[] {
  if (schema.$ref) return check(root, root.$defs[(schema.$ref as string).replace('#/$defs/', '')], v, at);
  if (schema.oneOf) {
    const fits = (schema.oneOf as Schema[]).map((s) => check(root, s, v, at));
    const ok = fits.filter((p) => !p.length).length;
    if (ok === 1) return [];
    if (ok > 1) return [`${at}: matches ${ok} of oneOf`];
    // The branch of the frame's own type (or else the closest) says most about what is wrong.
    const own = fits.filter((p) => !p.some((x) => x.startsWith(`${at}.type:`)));
    return (own.length ? own : fits).sort((a, b) => a.length - b.length)[0];
  }
  const out: string[] = [];
  if (schema.anyOf && !(schema.anyOf as Schema[]).some((s) => !check(root, s, v, at).length)) out.push(`${at}: matches none of anyOf`);
  if ('const' in schema && v !== schema.const) return [`${at}: must be ${JSON.stringify(schema.const)}`];
  if (schema.enum && !schema.enum.includes(v)) return [`${at}: ${JSON.stringify(v)} is not one of ${schema.enum.join(', ')}`];
  if (!schema.type && schema.required && typeof v === 'object' && v !== null)
    for (const r of schema.required) if (!(r in v)) out.push(`${at}.${r}: is required`);
  switch (schema.type) {
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${at}: must be an object`];
      const o = v as Record<string, unknown>;
      for (const r of schema.required ?? []) if (!(r in o)) out.push(`${at}.${r}: is required`);
      for (const [k, val] of Object.entries(o)) {
        const p = schema.properties?.[k];
        if (p) out.push(...check(root, p, val, `${at}.${k}`));
        else if (schema.additionalProperties === false) out.push(`${at}.${k}: is not in the schema`);
      }
      return out;
    }
    case 'array':
      if (!Array.isArray(v)) return [`${at}: must be an array`];
      if (schema.maxItems !== undefined && v.length > schema.maxItems) out.push(`${at}: more than ${schema.maxItems} items`);
      v.forEach((item, i) => out.push(...check(root, schema.items, item, `${at}[${i}]`)));
      return out;
    case 'string':
      if (typeof v !== 'string') return [`${at}: must be a string`];
      if (schema.maxLength !== undefined && v.length > schema.maxLength) out.push(`${at}: longer than ${schema.maxLength}`);
      if (schema.pattern && !new RegExp(schema.pattern, 'u').test(v)) out.push(`${at}: does not match ${schema.pattern}`);
      return out;
    case 'integer':
      if (!Number.isInteger(v)) return [`${at}: must be an integer`];
      if (schema.minimum !== undefined && (v as number) < schema.minimum) out.push(`${at}: below ${schema.minimum}`);
      if (schema.maximum !== undefined && (v as number) > schema.maximum) out.push(`${at}: above ${schema.maximum}`);
      return out;
    case 'boolean':
      return typeof v === 'boolean' ? out : [`${at}: must be a boolean`];
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return [`${at}: must be a number`];
      if (schema.minimum !== undefined && v < schema.minimum) out.push(`${at}: below ${schema.minimum}`);
      return out;
  }
  return out;
}

const schema = protocolJsonSchema() as Schema;

/** Problems of one frame the server sent, against `ServerFrame` of /v1/protocol.schema.json. */
export const serverFrameProblems = (frame: unknown) => check(schema, schema.$defs.ServerFrame, frame);
/** Problems of one frame a client sends, against `ClientFrame`. */
export const clientFrameProblems = (frame: unknown) => check(schema, schema.$defs.ClientFrame, frame);
