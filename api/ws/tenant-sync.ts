import type { ControlBus, ControlEvent } from '../bus/control';
import { grants, type ChatService } from '../chat/chat-service';
import type { TenantDirectory } from '../chat/tenants';
import { CLOSE } from '../protocol';
import type { Session } from './session';

/**
 * Keeps the open connections of this server in line with their tenant's state, whichever
 * server changed it: the change arrives over the control bus (this server's own change before
 * its request answers, the others' within a round trip to Redis), and a slow poll catches
 * what a lost event missed.
 * - tenant: new settings apply at once; a disabled tenant closes with 4504; a revoked key
 *   closes the sockets whose token it signed (4501); bans are read again.
 * - bans: the user's sockets close with 4503.
 * - blocks: the user's sockets here take the new list (their messages, typing and presence).
 * - room: sockets in the room whose user may no longer be there are put out of it.
 */
export function createTenantSync(opts: {
  sessions: ReadonlySet<Session>;
  tenants: TenantDirectory;
  chat: ChatService;
  control: ControlBus;
  pollMs: number;
  log: (msg: string, err?: unknown) => void;
}) {
  const { sessions, tenants, chat } = opts;
  let blockReads = 0;

  const of = (tenantId: string, pick: (s: Session) => boolean = () => true) =>
    [...sessions].filter((s) => s.tenant.id === tenantId && s.state !== 'closed' && pick(s));
  const userIs = (userId: string) => (s: Session) => s.user?.id === userId;

  function banish(s: Session) {
    s.send({ type: 'error', code: 'forbidden', message: 'you are banned from this site' });
    s.transport.close(CLOSE.banned, 'banned');
  }

  async function refreshTenant(tenantId: string, list: Session[]) {
    const t = await tenants.byId(tenantId);
    if (!t || t.disabled) {
      for (const s of list) s.transport.close(CLOSE.revoked, 'tenant disabled');
      return;
    }
    const active = new Set((await tenants.activeKeys(tenantId)).map((k) => k.prefix));
    const banned = new Set((await chat.bans.list(tenantId)).map((b) => b.user));
    for (const s of list) {
      if (s.user && banned.has(s.user.id)) {
        banish(s);
        continue;
      }
      s.setTenant(t);
      const prefix = s.user?.keyPrefix;
      if (prefix && !active.has(prefix)) s.revoke();
    }
  }

  /** Every tenant with connections here (or just `only`). */
  async function refreshTenants(only?: string) {
    const byTenant = new Map<string, Session[]>();
    for (const s of sessions) {
      if (only && s.tenant.id !== only) continue;
      byTenant.set(s.tenant.id, [...(byTenant.get(s.tenant.id) ?? []), s]);
    }
    for (const [tenantId, list] of byTenant) await refreshTenant(tenantId, list);
  }

  async function reloadBlocks(tenantId: string, userId: string) {
    const list = of(tenantId, userIs(userId));
    if (!list.length) return;
    // Two changes close together: only the read that started last may set the list.
    const read = ++blockReads;
    for (const s of list) s.blocksRead = read;
    const blocked = new Set(await chat.blockedBy(tenantId, userId));
    for (const s of list) if (s.blocksRead === read) s.setBlocked(blocked);
  }

  async function recheckRoom(tenantId: string, room: string) {
    // Moderators and tokens naming the room stay whatever the list says.
    const check = of(tenantId, (x) => x.rooms.has(room) && !grants(x.user!, room));
    if (!check.length) return;
    // One read of the room and one of its list, however many connections are in it.
    const allowed = await chat.allowedIn(tenantId, room, [...new Set(check.map((x) => x.user!.id))]);
    if (allowed === 'all') return;
    await Promise.all(check.filter((x) => !allowed.has(x.user!.id)).map((x) => x.evict(room)));
  }

  /** After events may have been lost: everything this server holds, read again. */
  async function resync() {
    await refreshTenants();
    const users = new Map<string, [string, string]>();
    const rooms = new Map<string, [string, string]>();
    for (const s of sessions) {
      if (!s.user) continue;
      users.set(`${s.tenant.id}\u0000${s.user.id}`, [s.tenant.id, s.user.id]);
      for (const r of s.rooms.keys()) rooms.set(`${s.tenant.id}\u0000${r}`, [s.tenant.id, r]);
    }
    for (const [t, u] of users.values()) await reloadBlocks(t, u);
    for (const [t, r] of rooms.values()) await recheckRoom(t, r);
  }

  async function apply(ev: ControlEvent | 'resync') {
    if (ev === 'resync') return resync();
    switch (ev.kind) {
      case 'tenant':
        return refreshTenants(ev.tenantId);
      case 'bans': {
        const list = of(ev.tenantId, userIs(ev.subject));
        if (list.length && (await chat.bans.isBanned(ev.tenantId, ev.subject))) list.forEach(banish);
        return;
      }
      case 'blocks':
        return reloadBlocks(ev.tenantId, ev.subject);
      case 'room':
        return recheckRoom(ev.tenantId, ev.subject);
    }
  }
  opts.control.on(apply);

  const timer = setInterval(() => void refreshTenants().catch((err) => opts.log('tenant refresh failed', err)), opts.pollMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
  };
}
