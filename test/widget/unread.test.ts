import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../widget/client/storage';
import { connect, makeChat, ROOM, sentOf, useFakes, wire } from './chat-harness';

useFakes();

const history = (n: number) => Array.from({ length: n }, (_, i) => wire(i + 1));

describe('chat: unread means unread', () => {
  it('a first visit counts nothing already there, only what arrives after, and tells the server nothing', async () => {
    const chat = makeChat();
    const s = await connect(chat, { headSeq: 49, messages: history(49), lastRead: 0 });
    expect(chat.unread.value).toBe(0);
    s.receive({ ...wire(50), type: 'message', room: ROOM });
    expect(chat.unread.value).toBe(1);
    // Nothing was read: others must not see their messages as "seen".
    expect(sentOf(s, 'read')).toEqual([]);
  });

  it('a returning visitor counts what came after the first visit, or after their last read when later', async () => {
    const storage = memoryStorage();
    const first = makeChat(storage);
    await connect(first, { headSeq: 10, messages: history(10) });
    first.stop();
    const again = makeChat(storage);
    await connect(again, { headSeq: 14, messages: history(14) });
    expect([again.unread.value, again.firstRead.value]).toEqual([4, 10]);
    again.stop();
    const readElsewhere = makeChat(storage);
    await connect(readElsewhere, { headSeq: 14, messages: history(14), lastRead: 12 });
    expect(readElsewhere.unread.value).toBe(2);
  });
});
