import { takeFrom } from '../chat/rate-limit';
import type { TenantSettings } from '../protocol';

type Bucket = { tokens: number; at: number };

/**
 * One connection's own token buckets: frames of every type, and joins. They are per socket
 * (not shared across servers like the per-user limits): what they bound is the work one socket
 * makes this server do. Buckets are made on first use, so an idle socket pays for none.
 */
export class ConnectionBudget {
  private frames: Bucket | null = null;
  private joins: Bucket | null = null;

  /** 0 when a frame may be handled, else the milliseconds until one may. */
  frame(now: number, s: TenantSettings): number {
    // The message allowance is added, so a tenant that raises its message rate (a bot, a
    // load test) is not stopped by the frame budget first.
    const limit = { rate: s.framesPerSecond + s.messagesPerSecond, burst: s.frameBurst + s.burst };
    this.frames ??= { tokens: limit.burst, at: now };
    return takeFrom(this.frames, now, limit);
  }

  /** 0 when a join may go ahead, else the milliseconds until one may. */
  join(now: number, s: TenantSettings): number {
    const limit = { rate: s.joinsPerSecond, burst: s.joinBurst };
    this.joins ??= { tokens: limit.burst, at: now };
    return takeFrom(this.joins, now, limit);
  }
}
