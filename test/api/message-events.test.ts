import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBatch, storeRooms } from '../../api/db/message-store';
import { ensureRoom } from '../../api/db/rooms';
import { eventLog } from '../../api/db/webhook-events';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/backends';

const msg = (id: string, event = true) => ({ id, userId: 'u', name: 'U', text: `text ${id}`, event, roomEvent: event });

/** `message.created` rows come from the statement that stores the messages, on every path it takes. */
describe.each(backends())('message.created written with the message on %s', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(backend, ['ta']);
  });
  afterAll(() => database?.close());

  const created = async (tenantId: string) =>
    (await eventLog(database.db, tenantId, 100)).reverse().map((e) => [e.type, (e.data.message as { id: string } | undefined)?.id ?? e.data.room, (e.data.message as { seq: number } | undefined)?.seq]);

  it('on the one-room statement, the several-rooms statement and the careful path, only for what was stored', async () => {
    const db = database.db;
    await ensureRoom(db, 'ta', 'one');
    await ensureRoom(db, 'ta', 'two');
    // One room, the fast statement; a message without `event` gets none.
    await storeBatch(db, 'ta', 'one', [msg('a'), msg('b', false), msg('c')], 1);
    // Several rooms in one statement.
    await storeRooms(db, [{ tenantId: 'ta', room: 'one', messages: [msg('d')] }, { tenantId: 'ta', room: 'two', messages: [msg('e'), msg('f')] }], 2);
    // A known id fails the fast statement on purpose (nothing of it stays, its events neither);
    // the careful path stores only the new one, and makes a new room with its room.created.
    await storeBatch(db, 'ta', 'one', [msg('a'), msg('g')], 3);
    await storeBatch(db, 'ta', 'three', [msg('h')], 4);
    expect(await created('ta')).toEqual([
      ['message.created', 'a', 1],
      ['message.created', 'c', 3],
      ['message.created', 'd', 4],
      ['message.created', 'e', 1],
      ['message.created', 'f', 2],
      ['message.created', 'g', 5],
      ['room.created', 'three', undefined],
      ['message.created', 'h', 1],
    ]);
    expect(await created('nobody')).toEqual([]);
  });
});
