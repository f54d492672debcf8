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
  /**
   * Sets what runs when users come or go without a join or leave on this server: a server died
   * (its users go offline), or this one re-asserted what it holds after the store lost it.
   */
  onChanges(handler: (changes: PresenceChange[]) => void): void;
  /** Sets what runs when another server is found dead (it may have committed messages it never published). */
  onPeerDown(handler: () => void): void;
  close(): Promise<void>;
}

/** A user's presence in one room changed, to be told to the room. */
export interface PresenceChange {
  tenantId: string;
  room: string;
  user: string;
  name: string;
  status: 'online' | 'offline';
}

/** The single-process presence store. */
export function createMemoryPresence(): PresenceStore {
  // A user's connections in a room: one id as a string (the common case, and smaller), a Set
  // once a second tab joins.
  const rooms = new Map<string, Map<string, { name: string; conns: string | Set<string> }>>();
  const key = (t: string, r: string) => `${t}\u0000${r}`;
  return {
    async add(tenantId, room, user, connId) {
      const k = key(tenantId, room);
      let users = rooms.get(k);
      if (!users) rooms.set(k, (users = new Map()));
      const u = users.get(user.user);
      if (!u) {
        users.set(user.user, { name: user.name, conns: connId });
        return true;
      }
      if (typeof u.conns === 'string') u.conns = new Set([u.conns]);
      u.conns.add(connId);
      return false;
    },
    async remove(tenantId, room, userId, connId) {
      const k = key(tenantId, room);
      const users = rooms.get(k);
      const u = users?.get(userId);
      if (!users || !u) return false;
      if (typeof u.conns === 'string') {
        if (u.conns !== connId) return false;
      } else {
        if (!u.conns.delete(connId)) return false;
        if (u.conns.size) return false;
      }
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
    // One process holds every connection: nothing changes behind its back.
    onChanges: () => {},
    onPeerDown: () => {},
    close: async () => {},
  };
}
