import type { Identity } from '../chat/auth';
import { grants } from '../chat/chat-service';
import { toChatError } from '../chat/errors';
import type { Rid, Session } from './session';

/**
 * `refresh`: a new token, verified like the one in `hello` (signature, expiry, the tenant's
 * maxTokenLifetime), for the same user. The socket then lives until the new `exp`; what the new
 * token grants replaces what the old one did, so a room it no longer opens is left at once.
 * A refused token changes nothing: the socket still closes at the old `exp`.
 */
export async function refreshToken(s: Session, token: string, rid: Rid): Promise<void> {
  const { deps, tenant } = s;
  const me = s.user!;
  let next: Identity;
  try {
    next = await deps.auth.verify(tenant, token);
  } catch (err) {
    const e = toChatError(err);
    if (e.code !== 'unauthorized' && e.code !== 'bad_request') throw err;
    return s.sendError('unauthorized', e.message, rid.rid);
  }
  if (next.id !== me.id || next.guest !== me.guest || next.staff !== me.staff) return s.sendError('unauthorized', 'the new token is for another user', rid.rid);
  if (s.state === 'closed') return;
  s.user = next;
  s.expiresAt = next.expiresAt ?? Infinity;
  for (const room of [...s.rooms.keys()]) {
    if (grants(next, room)) continue;
    const allowed = await deps.chat.allowedIn(tenant.id, room, [next.id]);
    if (allowed !== 'all' && !allowed.has(next.id)) await s.evict(room);
  }
  s.send({ type: 'refreshed', expiresAt: s.expiresAt, ...rid });
}
