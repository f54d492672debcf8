import type { Db } from '../db/client';
import { enqueueEvent } from '../db/webhook-events';
import type { EventType } from '../protocol';
import type { Tenant } from './tenants';

/** Whether the tenant wants events of this type: an events URL is set and the type is chosen. */
export const wantsEvent = (tenant: Tenant, type: EventType) =>
  !!tenant.settings.eventsUrl && (tenant.settings.eventTypes.includes('*') || tenant.settings.eventTypes.includes(type));

/**
 * Records an event webhook for the tenant, when it wants that type. Pass the transaction of
 * the change the event reports, so the event exists exactly when the change does; resolves
 * true when it recorded one (then call the delivery loop's `kick` after the commit, or leave
 * it to the next look, at most a second later). For other modules (moderation console:
 * `report.resolved`, `user.muted`, `user.unmuted`).
 */
export async function recordEvent(tx: Db, tenant: Tenant, type: EventType, data: Record<string, unknown>, at: number): Promise<boolean> {
  if (!wantsEvent(tenant, type)) return false;
  await enqueueEvent(tx, tenant.id, type, data, at);
  return true;
}
