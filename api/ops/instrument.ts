import type { Bus, RoomEvent } from '../bus/bus';
import type { RateLimiter } from '../chat/rate-limit';
import { WebhookHttpError, type WebhookAnswer, type WebhookHttp } from '../chat/webhook-http';
import type { Metrics } from './metrics';

// Wrappers the composition root puts around seams, so the figures need no code in the parts.

/** Counts refusals by the limiter key's prefix (`message:<user>` counts as `message`). */
export function countedLimiter(limiter: RateLimiter, metrics: Metrics): RateLimiter {
  return {
    async take(tenantId, key, limit) {
      const wait = await limiter.take(tenantId, key, limit);
      if (wait > 0) metrics.rateLimited(key.slice(0, Math.max(0, key.indexOf(':'))) || 'other');
      return wait;
    },
    close: () => limiter.close(),
  };
}

// A message event's frame holds its commit time; text inside it is JSON-escaped (`\"ts\":`),
// so the first unescaped `"ts":` is the frame's own.
const TS = /"ts":(\d+)/;

/** Observes, for each message event the bus hands this server, the time since its commit. */
export function timedBus(bus: Bus, metrics: Metrics, now: () => number): Bus {
  return {
    ...bus,
    onEvent(handler) {
      bus.onEvent((ev: RoomEvent) => {
        if (ev.kind === 'message') {
          const ts = TS.exec(ev.json);
          if (ts) metrics.busLag(now() - Number(ts[1]));
        }
        handler(ev);
      });
    },
  };
}

/** The webhook client, counting each attempt by outcome (a status class or why it failed). */
export function countedHttp(hook: 'pre_send' | 'events', http: WebhookHttp, metrics: Metrics): WebhookHttp {
  return {
    async post(url, req) {
      let answer: WebhookAnswer;
      try {
        answer = await http.post(url, req);
      } catch (err) {
        metrics.webhook(hook, err instanceof WebhookHttpError ? err.code : 'network');
        throw err;
      }
      metrics.webhook(hook, answer.status >= 200 && answer.status < 300 ? 'ok' : 'error_status');
      return answer;
    },
  };
}
