import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { clientAddressOf, forwardedValue, type ProxyTrust } from '../ops/client-address';

/** What the server believes of a request's client (see api/ops/client-address.ts). */
export interface ClientInfo {
  /** The client's address, or 'unknown' (app.request() in tests has no socket: one shared bucket). */
  address: string;
  /** True when the browser reached us over HTTPS, directly or through a trusted proxy that says so. */
  https: boolean;
  /** The host the browser asked for: `Host`, or a trusted proxy's `X-Forwarded-Host`. */
  host: string | undefined;
}

function peerOf(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** Works out the client once per request; `clientOf(c)` reads it. */
export function clientInfo(trusted: ProxyTrust): MiddlewareHandler {
  return async (c, next) => {
    const peer = peerOf(c);
    const info: ClientInfo = {
      address: peer ? clientAddressOf(peer, c.req.header('x-forwarded-for'), trusted) : 'unknown',
      https: new URL(c.req.url).protocol === 'https:' || (peer !== undefined && forwardedValue(peer, c.req.header('x-forwarded-proto'), trusted) === 'https'),
      host: (peer && forwardedValue(peer, c.req.header('x-forwarded-host'), trusted)) || c.req.header('host'),
    };
    c.set('client', info);
    await next();
  };
}

/** The request's client, as `clientInfo` saw it (a bare app without it: no proxy trusted). */
export function clientOf(c: Context): ClientInfo {
  const info = c.get('client') as ClientInfo | undefined;
  if (info) return info;
  const peer = peerOf(c);
  return { address: peer ?? 'unknown', https: new URL(c.req.url).protocol === 'https:', host: c.req.header('host') };
}
