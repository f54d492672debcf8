import { codePointLength, type ClientFrame } from '../protocol';
import { refreshToken } from './refresh';
import type { Session } from './session';

/** Handles one decoded frame of a connection that has said hello (or is saying it). */
export async function dispatch(s: Session, f: ClientFrame): Promise<void> {
  if (s.state === 'closed') return;
  const { deps, tenant } = s;
  const rid = f.rid !== undefined ? { rid: f.rid } : {};
  const who = s.user!;
  switch (f.type) {
    case 'hello':
      return s.hello(f.token, f.name, f.batch === true, rid);
    case 'join': {
      const max = tenant.settings.maxRoomsPerConnection;
      if (!s.rooms.has(f.room) && s.rooms.size >= max) return s.sendError('too_large', `at most ${max} rooms per connection; leave one first`, f.rid);
      const wait = s.budget.join(deps.now(), tenant.settings);
      if (wait) return s.sendError('rate_limited', 'too many joins', f.rid, wait);
      return s.join(f.room, { lastSeq: f.lastSeq, cursor: f.cursor, limit: f.limit }, rid);
    }
    case 'leave':
      await s.leave(f.room);
      return s.send({ type: 'left', room: f.room, ...rid });
    case 'message': {
      const max = tenant.settings.maxTextLength;
      // Validated before authorized: too long is too long, joined or not.
      if (codePointLength(f.text) > max) return s.sendError('too_large', `text is longer than ${max} characters`, f.rid);
      if (!s.joined(f.room, f.rid)) return;
      if (deps.draining()) return s.sendError('internal', 'server shutting down; retry with the same id', f.rid);
      // Messages wait for each other (their checks, the pre-send hook) so they commit in the
      // order sent, but not the frames after them: a slow hook once held this connection's
      // pings, typing and reads until the widget thought the socket dead.
      const arrived = performance.now();
      s.afterMessages(async () => {
        const { ack } = await deps.chat.submit(tenant, who, f.room, f.id, f.text);
        ack.then(
          (a) => {
            s.send({ type: 'ack', ...a, ...rid });
            deps.metrics?.acked(performance.now() - arrived);
          },
          (err) => s.fail(err, f.rid),
        );
      }, f.rid);
      return;
    }
    case 'typing': {
      if (!s.joined(f.room, f.rid)) return;
      const change = deps.typing.update(tenant.id, f.room, who.id, who.name, f.active);
      if (change) deps.chat.publishTyping(change);
      return;
    }
    case 'read':
      if (!s.joined(f.room, f.rid)) return;
      return deps.chat.markRead(tenant.id, who, f.room, f.lastSeq);
    case 'sync':
    case 'history': {
      const j = s.rooms.get(f.room);
      // Never past what this connection was given live, so no change comes twice.
      const held = j ? { lastSeq: j.lastSeq, rev: j.lastRev } : await deps.chat.openRoom(tenant, who, f.room);
      const head = held.lastSeq;
      if (f.type === 'sync' && f.cursor !== undefined) {
        const changes = await deps.chat.changes(tenant.id, f.room, { cursor: f.cursor, limit: f.limit, upTo: held.rev }, s.blocked);
        return s.send({ type: 'history', room: f.room, ...changes, ...rid });
      }
      const page = await deps.chat.history(
        tenant.id,
        f.room,
        f.type === 'sync' ? { afterSeq: f.lastSeq!, limit: f.limit, upTo: head } : { beforeSeq: f.beforeSeq, limit: f.limit, upTo: head },
        s.blocked,
      );
      return s.send({ type: 'history', room: f.room, ...page, ...rid });
    }
    case 'refresh':
      return refreshToken(s, f.token, rid);
    case 'ping':
      return s.send({ type: 'pong', ts: deps.now(), ...rid });
    case 'delete':
      if (!s.joined(f.room, f.rid)) return;
      await deps.desk.deleteAs(tenant, who, f.room, f.id);
      return s.send({ type: 'ack', room: f.room, id: f.id, ...rid });
    case 'report':
      await deps.chat.report(tenant, who, f.room, f.id, f.reason);
      return s.send({ type: 'ack', room: f.room, id: f.id, ...rid });
    case 'block':
    case 'unblock': {
      // Resolves once this user's sockets here follow it; the other servers are told.
      await deps.chat.setBlock(tenant, who, f.user, f.type === 'block');
      return s.send({ type: 'ack', user: f.user, ...rid });
    }
    case 'mute':
    case 'ban':
    case 'unmute':
    case 'unban':
      // On every server through the control bus, as from the dashboard (sanctions.ts).
      await deps.desk.sanctionAs(tenant, who, f.type, f.user, f.type === 'mute' || f.type === 'ban' ? { reason: f.reason, minutes: f.minutes } : {});
      return s.send({ type: 'ack', user: f.user, ...rid });
  }
}
