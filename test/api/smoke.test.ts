import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

describe.each(backends())('smoke on %s', (backend) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('a guest says hello, joins and chats', async () => {
    const a = await client(s.wsUrl, s.demo.publishableKey, { name: 'Alice' });
    expect(a.welcome.name).toBe('Alice');
    expect(a.welcome.guestToken).toBeTypeOf('string');
    const j = await join(a, 'lobby');
    expect(j.headSeq).toBe(0);
    const ack = await a.request({ type: 'message', room: 'lobby', id: 'm1', text: 'hi' });
    expect(ack).toMatchObject({ type: 'ack', room: 'lobby', id: 'm1', seq: 1 });
    const ev = await a.next((f) => f.type === 'message');
    expect(ev).toMatchObject({ room: 'lobby', id: 'm1', seq: 1, text: 'hi', name: 'Alice' });
    a.close();
  });
});
