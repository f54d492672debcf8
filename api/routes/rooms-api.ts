import { Hono, type Context } from 'hono';
import type { ChatService } from '../chat/chat-service';
import { ChatError } from '../chat/errors';
import type { Tenant } from '../chat/tenants';
import { isCleanText } from '../protocol';
import { jsonBody } from './http-error';
import { bad, roomParam, userParam } from './params';

/** A user id as tokens allow it in `sub`: no whitespace (a member no token could name is a typo). */
const isUserId = (u: unknown): u is string => typeof u === 'string' && u.length > 0 && u.length <= 128 && isCleanText(u) && !/\s/.test(u);
const member = (raw: string) => {
  const u = userParam(raw);
  if (!isUserId(u)) throw bad('user is malformed');
  return u;
};

/** The reply of every room route (api/protocol/README.md, "Private rooms"). */
const shape = (room: string, r: { room: { private: boolean; lastSeq: number }; members: string[] }) => ({
  room,
  private: r.room.private,
  members: r.members,
  headSeq: r.room.lastSeq,
});

/**
 * Rooms for the tenant's backend: read one, create or change one (`members` replaces the whole
 * list), and add or remove one member without touching the others. A change re-checks the
 * sockets in the room on every server (a removed member is put out of it).
 */
export function roomRoutes(opts: { chat: ChatService; tenantOf: (c: Context) => Tenant }) {
  const { chat, tenantOf } = opts;
  const app = new Hono();

  app.get('/rooms/:room', async (c) => {
    const room = roomParam(c.req.param('room'));
    const r = await chat.getRoom(tenantOf(c).id, room);
    if (!r) throw new ChatError('not_found', 'no such room');
    return c.json(shape(room, r));
  });

  app.put('/rooms/:room', async (c) => {
    const room = roomParam(c.req.param('room'));
    const body = await jsonBody(c);
    if (body.private !== undefined && typeof body.private !== 'boolean') throw bad('private must be a boolean');
    const members = body.members;
    if (members !== undefined && (!Array.isArray(members) || !members.every(isUserId)))
      throw bad('members must be a list of user ids');
    if (Array.isArray(members) && members.length > 10_000) throw bad('members holds more than 10000 user ids');
    const r = await chat.putRoom(tenantOf(c), room, { private: body.private as boolean | undefined, members: members as string[] | undefined });
    return c.json(shape(room, r));
  });

  app.put('/rooms/:room/members/:user', async (c) => {
    const room = roomParam(c.req.param('room'));
    const user = member(c.req.param('user'));
    return c.json(shape(room, await chat.setMember(tenantOf(c), room, user, true)));
  });

  app.delete('/rooms/:room/members/:user', async (c) => {
    const room = roomParam(c.req.param('room'));
    const user = member(c.req.param('user'));
    await chat.setMember(tenantOf(c), room, user, false);
    return c.body(null, 204);
  });

  return app;
}
