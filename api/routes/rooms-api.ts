import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ChatService } from '../chat/chat-service';
import { ChatError } from '../chat/errors';
import type { Tenant } from '../chat/tenants';
import { isCleanText } from '../protocol';
import { openapiRoute } from './openapi-route';
import { body, json, mounted, room, text, V1_MOUNT } from './schemas';

/** A user id as tokens allow it in `sub`: no whitespace (a member no token could name is a typo). */
const userId = text('user', 128, /^\S+$/);
const memberList = { error: 'members must be a list of user ids' };

/** The reply of every room route (api/protocol/README.md, "Private rooms"). */
const Room = z.object({ room: z.string(), private: z.boolean(), members: z.array(z.string()), headSeq: z.number().int() }).openapi('Room');
const shape = (room: string, r: { room: { private: boolean; lastSeq: number }; members: string[] }) => ({
  room,
  private: r.room.private,
  members: r.members,
  headSeq: r.room.lastSeq,
});

const params = z.object({ room });
const memberParams = z.object({ room, user: userId });

const GET_ROOM = createRoute({
  method: 'get',
  path: '/rooms/{room}',
  summary: 'A room: private or not, its members, its newest seq',
  request: { params },
  responses: { 200: json('the room', Room) },
});

const PUT_ROOM = createRoute({
  method: 'put',
  path: '/rooms/{room}',
  summary: 'Creates or changes a room; members replaces the whole list',
  request: {
    params,
    body: body(
      z.object({
        private: z.boolean({ error: 'private must be a boolean' }).optional(),
        members: z
          .array(z.string(memberList).min(1).max(128).regex(/^\S+$/).refine(isCleanText), memberList)
          .max(10_000, { error: 'members holds more than 10000 user ids' })
          .optional(),
      }),
    ),
  },
  responses: { 200: json('the room as it is now', Room) },
});

const PUT_MEMBER = createRoute({
  method: 'put',
  path: '/rooms/{room}/members/{user}',
  summary: 'Adds one member of an existing room, keeping the others',
  request: { params: memberParams },
  responses: { 200: json('the room as it is now', Room) },
});

const DELETE_MEMBER = createRoute({
  method: 'delete',
  path: '/rooms/{room}/members/{user}',
  summary: 'Removes one member; their sockets leave the room if it is private',
  request: { params: memberParams },
  responses: { 204: { description: 'removed' } },
});

/**
 * Rooms for the tenant's backend: read one, create or change one (`members` replaces the whole
 * list), and add or remove one member without touching the others. A change re-checks the
 * sockets in the room on every server (a removed member is put out of it).
 */
export function roomRoutes(opts: { chat: ChatService; tenantOf: (c: Context) => Tenant }) {
  const { chat, tenantOf } = opts;
  const app = new OpenAPIHono();

  openapiRoute(app, mounted(V1_MOUNT, GET_ROOM, { bad_request: 'a malformed room', not_found: 'no such room' }), async (c) => {
    const { room } = c.req.valid('param');
    const r = await chat.getRoom(tenantOf(c).id, room);
    if (!r) throw new ChatError('not_found', 'no such room');
    return c.json(shape(room, r));
  });

  openapiRoute(app, mounted(V1_MOUNT, PUT_ROOM, { bad_request: 'a malformed room or field' }), async (c) => {
    const { room } = c.req.valid('param');
    const b = c.req.valid('json');
    return c.json(shape(room, await chat.putRoom(tenantOf(c), room, { private: b.private, members: b.members })));
  });

  openapiRoute(app, mounted(V1_MOUNT, PUT_MEMBER, { bad_request: 'a malformed room or user', not_found: 'no such room' }), async (c) => {
    const { room, user } = c.req.valid('param');
    return c.json(shape(room, await chat.setMember(tenantOf(c), room, user, true)));
  });

  openapiRoute(app, mounted(V1_MOUNT, DELETE_MEMBER, { bad_request: 'a malformed room or user', not_found: 'no such room' }), async (c) => {
    const { room, user } = c.req.valid('param');
    await chat.setMember(tenantOf(c), room, user, false);
    return c.body(null, 204);
  });

  return app;
}
