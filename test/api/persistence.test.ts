import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

describe.each(backends())('persistence on %s', (backend) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('keeps every message across a restart, and seqs continue after it', async () => {
    const a = await client(s.wsUrl, s.demo.publishableKey, { name: 'A' });
    await join(a, 'keep');
    for (let i = 1; i <= 5; i++) await a.request({ type: 'message', room: 'keep', id: `k${i}`, text: `${i}` });
    a.close();
    await s.restart();
    const b = await client(s.wsUrl, s.demo.publishableKey, { token: a.welcome.guestToken });
    expect(b.welcome.user).toBe(a.welcome.user);
    const j = await join(b, 'keep');
    expect(j.messages.map((m: { id: string }) => m.id)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    expect(await b.request({ type: 'message', room: 'keep', id: 'k6', text: '6' })).toMatchObject({ seq: 6 });
    // The same id after the restart is still a duplicate.
    expect(await b.request({ type: 'message', room: 'keep', id: 'k1', text: '1' })).toMatchObject({ seq: 1, duplicate: true });
    b.close();
  });
});
