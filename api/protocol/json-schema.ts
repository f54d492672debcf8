import { CLIENT_FRAMES, SERVER_FRAMES, type FieldSpec, type FrameSpec, type Fields } from './frame-table';
import { DEFAULTS } from './limits';

type Schema = Record<string, unknown>;

function fieldSchema(spec: FieldSpec): Schema {
  if ('const' in spec) return { const: spec.const };
  if ('enum' in spec) return { enum: [...spec.enum] };
  switch (spec.type) {
    case 'string':
      return { type: 'string', ...(spec.maxLength ? { maxLength: spec.maxLength } : {}), ...(spec.pattern ? { pattern: spec.pattern.source } : {}) };
    case 'integer':
      return { type: 'integer', minimum: spec.minimum, ...(spec.maximum !== undefined ? { maximum: spec.maximum } : {}) };
    case 'boolean':
      return { type: 'boolean' };
    case 'number':
      return { type: 'number', minimum: spec.minimum };
    case 'array':
      return { type: 'array', items: fieldSchema(spec.items), ...(spec.maxItems ? { maxItems: spec.maxItems } : {}) };
    case 'object':
      return objectSchema(spec.fields, true);
  }
}

function objectSchema(fields: Fields, closed: boolean, extra: Schema = {}): Schema {
  const properties: Schema = { ...((extra.properties as Schema) ?? {}) };
  const required: string[] = [...((extra.required as string[]) ?? [])];
  for (const [name, [spec, must]] of Object.entries(fields)) {
    properties[name] = fieldSchema(spec);
    if (must) required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: !closed };
}

const rid = { type: 'string', maxLength: DEFAULTS.maxRidLength };

function frameSchema(type: string, spec: FrameSpec, side: 'client' | 'server'): Schema {
  const base = objectSchema(spec.fields, side === 'server', {
    properties: { type: { const: type }, ...(side === 'client' || spec.rid ? { rid } : {}) },
    required: ['type'],
  });
  return spec.oneOf ? { ...base, anyOf: spec.oneOf.map((f) => ({ required: [f] })) } : base;
}

/**
 * The wire contract as JSON Schema (draft 2020-12), made from the same table the decoder uses:
 * `$defs` holds one schema per frame (`client.<type>`, `server.<type>`), and the two top-level
 * choices `ClientFrame` and `ServerFrame`. Client frames allow unknown fields (servers ignore
 * them); server frames list every field they may carry.
 */
export function protocolJsonSchema(): Schema {
  const $defs: Schema = {};
  for (const [type, spec] of Object.entries(CLIENT_FRAMES)) $defs[`client.${type}`] = frameSchema(type, spec, 'client');
  for (const [type, spec] of Object.entries(SERVER_FRAMES)) $defs[`server.${type}`] = frameSchema(type, spec, 'server');
  const choice = (side: string, types: string[]) => ({ oneOf: types.map((t) => ({ $ref: `#/$defs/${side}.${t}` })) });
  $defs.ClientFrame = choice('client', Object.keys(CLIENT_FRAMES));
  $defs.ServerFrame = choice('server', Object.keys(SERVER_FRAMES));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://parley.invalid/v1/protocol.schema.json',
    title: 'Parley wire protocol, version 1',
    description: 'Every WebSocket frame of /v1/ws (api/protocol/README.md). A frame is one JSON object; a batch frame holds several, one per line.',
    $defs,
    oneOf: [{ $ref: '#/$defs/ClientFrame' }, { $ref: '#/$defs/ServerFrame' }],
  };
}
