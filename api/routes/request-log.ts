import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../ops/logger';

// Probes come every few seconds from the orchestrator: a line each at `debug`, not `info`.
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One log line per HTTP request: method, path (never the query, which may hold a key), status,
 * milliseconds and the request id (the caller's `X-Request-Id` when it is a plain token of at
 * most 64 characters, else a new UUID; echoed in the answer).
 */
export function requestLog(logger: Logger, now: () => number = performance.now.bind(performance)): MiddlewareHandler[] {
  const log: MiddlewareHandler = async (c, next) => {
    const started = now();
    await next();
    const status = c.res.status;
    const line = { reqId: c.get('requestId') as string, method: c.req.method, path: c.req.path, status, ms: Math.round((now() - started) * 10) / 10 };
    if (status >= 500) logger.error(line, 'request');
    else if (PROBES.has(line.path)) logger.debug(line, 'request');
    else logger.info(line, 'request');
  };
  return [requestId({ limitLength: 64 }), log];
}
