import { describe, expect, it, vi } from 'vitest';
import { memoryStorage } from '../../widget/client/storage';
import { REFRESH_LEAD_MS } from '../../widget/client/connection';
import { connect, FakeSocket, makeChat, sentOf, useFakes } from './chat-harness';

useFakes();

describe('chat: token refresh through tokenUrl', () => {
  it('fetches a new token a minute before exp and sends it as refresh; refreshed schedules the next one', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ token: `tok${fetch.mock.calls.length}` })));
    const chat = makeChat(memoryStorage(), { tokenUrl: 'https://site.test/chat-token', fetch });
    const lifetime = 10 * 60_000;
    const s = await connect(chat, {}, { expiresAt: Date.now() + lifetime });
    await vi.advanceTimersByTimeAsync(lifetime - REFRESH_LEAD_MS - 1);
    expect(sentOf(s, 'refresh')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentOf(s, 'refresh')).toEqual([{ type: 'refresh', token: 'tok2' }]);
    expect(FakeSocket.all.length).toBe(1);
    s.receive({ type: 'refreshed', expiresAt: Date.now() + lifetime });
    await vi.advanceTimersByTimeAsync(lifetime - REFRESH_LEAD_MS);
    expect(sentOf(s, 'refresh').map((f) => f.token)).toEqual(['tok2', 'tok3']);
  });

  it('a short-lived token is refreshed half way; without tokenUrl nothing is sent', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ token: 'next' })));
    const chat = makeChat(memoryStorage(), { tokenUrl: 'https://site.test/t', fetch });
    const s = await connect(chat, {}, { expiresAt: Date.now() + 30_000 });
    await vi.advanceTimersByTimeAsync(15_000);
    expect(sentOf(s, 'refresh')).toHaveLength(1);
    chat.stop();

    const plain = makeChat(memoryStorage(), { token: 'site-token' });
    const p = await connect(plain, {}, { expiresAt: Date.now() + 30_000 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sentOf(p, 'refresh')).toEqual([]);
  });
});
