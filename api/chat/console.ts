import type { Db } from '../db/client';
import { listRooms } from '../db/rooms';
import type { Principal } from './accounts';
import { STAFF_PREFIX, type Auth } from './auth';

/** The user id a dashboard account (or the admin token) has on a tenant's sockets. */
export const staffId = (p: Principal) => (p.kind === 'token' ? `${STAFF_PREFIX}admin-token` : `${STAFF_PREFIX}${p.id}`);

/** What users see of a console in a room's presence: never the account's email. */
export const STAFF_NAME = 'Moderator';

/**
 * The dashboard's room view: the tenant's rooms to pick from, and the short-lived moderator
 * token its socket says hello with (api/chat/auth.ts, staff tokens).
 */
export function createConsole(opts: { db: Db; auth: Auth }) {
  return {
    /** A staff token for `p` in the tenant; the route has checked the role. */
    async token(tenantId: string, p: Principal) {
      const user = staffId(p);
      return { ...(await opts.auth.staff(tenantId, { user, name: STAFF_NAME })), user };
    },

    /** A page of the tenant's rooms by name; `next` is the `after` of the next page. */
    async rooms(tenantId: string, p: { prefix?: string; after?: string; limit: number }) {
      const rows = await listRooms(opts.db, tenantId, { ...p, limit: p.limit + 1 });
      const page = rows.slice(0, p.limit);
      return {
        rooms: page.map((r) => ({ room: r.name, private: r.private, headSeq: r.lastSeq })),
        next: rows.length > p.limit ? page.at(-1)!.name : null,
      };
    },
  };
}

export type Console = ReturnType<typeof createConsole>;
