import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { roomMembers, rooms } from './schema';

export type RoomRow = typeof rooms.$inferSelect;

export const getRoom = async (db: Db, tenantId: string, room: string): Promise<RoomRow | null> =>
  (await db.select().from(rooms).where(and(eq(rooms.tenantId, tenantId), eq(rooms.name, room))))[0] ?? null;

/** The room, creating it as a public room when it does not exist yet. */
export async function ensureRoom(db: Db, tenantId: string, room: string): Promise<RoomRow> {
  const made = await db.insert(rooms).values({ tenantId, name: room }).onConflictDoNothing().returning();
  return made[0] ?? (await getRoom(db, tenantId, room))!;
}

/** Creates or updates a room's privacy and, when given, replaces its member list. */
export async function putRoom(
  db: Db,
  tenantId: string,
  room: string,
  patch: { private?: boolean; members?: string[] },
): Promise<{ room: RoomRow; members: string[] }> {
  return db.transaction(async (tx) => {
    await tx
      .insert(rooms)
      .values({ tenantId, name: room, private: patch.private ?? false })
      .onConflictDoUpdate({
        target: [rooms.tenantId, rooms.name],
        set: patch.private === undefined ? { name: sql`excluded.name` } : { private: patch.private },
      });
    if (patch.members) {
      await tx.delete(roomMembers).where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room)));
      const unique = [...new Set(patch.members)];
      if (unique.length)
        await tx.insert(roomMembers).values(unique.map((userId) => ({ tenantId, room, userId })));
    }
    const row = (await tx.select().from(rooms).where(and(eq(rooms.tenantId, tenantId), eq(rooms.name, room))))[0];
    const members = await tx
      .select({ userId: roomMembers.userId })
      .from(roomMembers)
      .where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room)));
    return { room: row, members: members.map((m) => m.userId) };
  });
}

export async function isMember(db: Db, tenantId: string, room: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ u: roomMembers.userId })
    .from(roomMembers)
    .where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room), eq(roomMembers.userId, userId)));
  return rows.length > 0;
}
