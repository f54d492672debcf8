import type { KeyValue } from '../client/storage';

/**
 * Where "unread" starts for this visitor in one room. The server's read position covers people
 * who read here before; a first-time visitor has none (0), and without this every message
 * already in the room would count: a stranger saw "49" on the launcher. So the first join on
 * this device keeps the room's head in storage, and later visits count only what came after it
 * or after their last read, whichever is later.
 */
export function unreadBase(storage: KeyValue, key: string, lastRead: number, headSeq: number): number {
  const kept = Number(storage.getItem(key)) || 0;
  if (lastRead || kept) return Math.max(lastRead, kept);
  storage.setItem(key, String(headSeq));
  return headSeq;
}
