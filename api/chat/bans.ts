import type { ControlBus } from '../bus/control';
import type { Db } from '../db/client';
import { bans, mutes } from '../db/schema';
import { createSanctions, type Sanction } from './sanctions';

export type Ban = Sanction;
export type Mute = Sanction;

type Deps = { db: Db; now: () => number; control: ControlBus; /** Called after an event webhook was recorded. */ onEvent?: () => void };

/**
 * Users banned from a tenant. A banned user's `hello` is answered with 4503, their open
 * sockets are closed with 4503 (on every server: the gateway listens to the control bus), and
 * nothing they send is stored, over the socket or over the tenant's HTTP API.
 */
export function createBans(opts: Deps) {
  const s = createSanctions({ ...opts, kind: 'bans', table: bans, events: { on: 'user.banned', off: 'user.unbanned' } });
  return {
    isBanned: async (tenantId: string, userId: string) => !!(await s.find(tenantId, userId)),
    list: s.list,
    /** Bans a user, for `minutes` or for good. */
    ban: s.add,
    unban: s.lift,
  };
}

/**
 * Users muted in a tenant: they stay connected and read, but every message they send (over
 * the socket or the tenant's HTTP API) is refused with `forbidden` until the mute ends.
 */
export function createMutes(opts: Deps) {
  const s = createSanctions({ ...opts, kind: 'mutes', table: mutes, events: { on: 'user.muted', off: 'user.unmuted' } });
  return { mutedNow: s.find, list: s.list, mute: s.add, unmute: s.lift };
}

export type Bans = ReturnType<typeof createBans>;
export type Mutes = ReturnType<typeof createMutes>;
