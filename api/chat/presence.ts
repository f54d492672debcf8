import type { PresenceEntry } from '../protocol';

/**
 * Who is online in which room, counted per connection so a second tab keeps a user online.
 * Async so that a shared store (Redis) can stand behind the same calls.
 */
export interface PresenceStore {
  /** Records a connection in a room; true when it is the user's first there. */
  add(tenantId: string, room: string, user: PresenceEntry, connId: string): Promise<boolean>;
  /** Forgets a connection; true when it was the user's last in the room. */
  remove(tenantId: string, room: string, userId: string, connId: string): Promise<boolean>;
  /** The number of users online and up to `limit` of them. */
  list(tenantId: string, room: string, limit: number): Promise<{ online: number; presence: PresenceEntry[] }>;
  close(): Promise<void>;
}

/** The single-process presence store. */
export function createMemoryPresence(): PresenceStore {
  const rooms = new Map<string, Map<string, { name: string; conns: Set<string> }>>();
  const key = (t: string, r: string) => `${t}\u0000${r}`;
  return {
    async add(tenantId, room, user, connId) {
      const k = key(tenantId, room);
      let users = rooms.get(k);
      if (!users) rooms.set(k, (users = new Map()));
      let u = users.get(user.user);
      const first = !u;
      if (!u) users.set(user.user, (u = { name: user.name, conns: new Set() }));
      u.conns.add(connId);
      return first;
    },
    async remove(tenantId, room, userId, connId) {
      const k = key(tenantId, room);
      const users = rooms.get(k);
      const u = users?.get(userId);
      if (!users || !u || !u.conns.delete(connId)) return false;
      if (u.conns.size) return false;
      users.delete(userId);
      if (!users.size) rooms.delete(k);
      return true;
    },
    async list(tenantId, room, limit) {
      const users = rooms.get(key(tenantId, room));
      if (!users) return { online: 0, presence: [] };
      const presence: PresenceEntry[] = [];
      for (const [user, u] of users) {
        if (presence.length >= limit) break;
        presence.push({ user, name: u.name });
      }
      return { online: users.size, presence };
    },
    close: async () => {},
  };
}
