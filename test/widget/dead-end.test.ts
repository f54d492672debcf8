import { describe, expect, it, vi } from 'vitest';
import { memoryStorage } from '../../widget/client/storage';
import { connect, drop, FakeSocket, makeChat, tick, useFakes } from './chat-harness';

useFakes();

describe('chat: dead ends', () => {
  it('a private room that turns us away is "private", and a later join clears it', async () => {
    const chat = makeChat();
    chat.start();
    await tick();
    const s = FakeSocket.last();
    s.open();
    s.welcome();
    s.receive({ type: 'error', rid: 'j', code: 'forbidden', message: 'this room is private' });
    expect([chat.dead.value, chat.status.value]).toEqual(['private', 'connected']);
    await drop();
    await connect(chat);
    expect(chat.dead.value).toBe('');
  });

  it('a message refused as forbidden (a mute) is "muted" with the server\'s words; other refusals are not dead ends', async () => {
    const chat = makeChat();
    const s = await connect(chat);
    chat.send('first');
    s.receive({ type: 'error', rid: chat.store.list.value[0].id, code: 'rejected', message: 'Please do not say that' });
    expect(chat.dead.value).toBe('');
    chat.send('second');
    s.receive({ type: 'error', rid: chat.store.list.value[1].id, code: 'forbidden', message: 'you are muted for 1 hour' });
    expect([chat.dead.value, chat.deadWhy.value]).toEqual(['muted', 'you are muted for 1 hour']);
    // An error about something else (no rid of a pending message) changes nothing.
    s.receive({ type: 'error', rid: 'x', code: 'forbidden', message: 'join lobby first' });
    expect(chat.dead.value).toBe('muted');
  });

  it.each([
    [4503, 'banned', {}],
    [4504, 'site', {}],
    // A site token cannot be renewed by the widget: 4501 ends it.
    [4501, 'signedOut', { token: 'site.jwt' }],
  ] as const)('close %s stops as "%s"', async (code, dead, extra) => {
    const chat = makeChat(memoryStorage(), extra);
    await connect(chat);
    FakeSocket.last().serverClose(code);
    await vi.advanceTimersByTimeAsync(60_000);
    expect([chat.status.value, chat.dead.value]).toEqual(['stopped', dead]);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('a stop by the page (destroy) is no dead end', async () => {
    const chat = makeChat();
    await connect(chat);
    chat.stop();
    expect([chat.status.value, chat.dead.value]).toEqual(['stopped', '']);
  });
});
