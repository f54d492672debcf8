import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, protocolJsonSchema } from '../../api/protocol';
import { clientFrameProblems, serverFrameProblems } from '../helpers/schema-check';
import { startTestServer, type TestServer } from '../helpers/server';

describe('the JSON Schema of the protocol', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ backend: 'pglite' });
  });
  afterAll(() => s?.stop());

  it('is served at /v1/protocol.schema.json without a key, as the decoder’s table makes it', async () => {
    const res = await fetch(`${s.url}/v1/protocol.schema.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as { $defs: Record<string, unknown> };
    expect(body).toEqual(JSON.parse(JSON.stringify(protocolJsonSchema())));
    expect(Object.keys(body.$defs)).toContain('client.refresh');
    expect(Object.keys(body.$defs)).toContain('server.refreshed');
  });

  it('accepts exactly the client frames the decoder accepts', () => {
    const samples: unknown[] = [
      { type: 'hello' },
      { type: 'hello', token: 'x', batch: true, rid: 'r1' },
      { type: 'join', room: 'lobby', cursor: 3, limit: 200 },
      { type: 'join', room: 'bad room' },
      { type: 'join', room: 'lobby', limit: 0 },
      { type: 'sync', room: 'lobby' },
      { type: 'sync', room: 'lobby', cursor: 0 },
      { type: 'message', room: 'r', id: 'a-1', text: 'hi' },
      { type: 'message', room: 'r', id: 'no spaces', text: 'hi' },
      { type: 'typing', room: 'r', active: 'yes' },
      { type: 'read', room: 'r', lastSeq: -1 },
      { type: 'block', user: 'bob' },
      { type: 'mute', user: 'bob', reason: 'calm down', minutes: 60 },
      { type: 'mute', user: 'bob', minutes: 0 },
      { type: 'ban', user: 'bob', minutes: 5_256_001 },
      { type: 'unban', user: 'bob' },
      { type: 'unmute' },
      { type: 'refresh' },
      { type: 'refresh', token: 't' },
      { type: 'nope' },
      { type: 'ping', rid: 'x'.repeat(65) },
    ];
    for (const f of samples) expect({ f, ok: !clientFrameProblems(f).length }).toEqual({ f, ok: decodeFrame(JSON.stringify(f)).ok });
  });

  it('refuses a server frame with a field it does not list, or a wrong type', () => {
    expect(serverFrameProblems({ type: 'pong', ts: 1 })).toEqual([]);
    expect(serverFrameProblems({ type: 'pong', ts: 1, extra: true }).join()).toContain('extra');
    expect(serverFrameProblems({ type: 'deleted', room: 'r', id: 'a', seq: 1 }).join()).toContain('cursor');
    expect(serverFrameProblems({ type: 'error', code: 'oops', message: 'm' }).join()).toContain('oops');
  });
});
