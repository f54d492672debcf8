import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { safeAddress, systemResolver, type Resolver } from './address-guard';

/** What a tenant's endpoint answered. */
export interface WebhookAnswer {
  status: number;
  /** The `retry-after` header, if any. */
  retryAfter: string | null;
  /** The body as text, at most `maxBytes`. */
  body: string;
}

export type WebhookFailureCode = 'blocked_address' | 'timeout' | 'too_large' | 'network' | 'bad_url';

/** A webhook request that got no usable answer; `code` says why. */
export class WebhookHttpError extends Error {
  constructor(
    readonly code: WebhookFailureCode,
    message: string,
  ) {
    super(message);
  }
}

export interface WebhookHttpOptions {
  /** Lets webhooks reach private and loopback addresses (development and tests only). */
  allowPrivate: boolean;
  resolve?: Resolver;
  /** Where to connect for a checked address (tests point a "public" address at a local receiver). */
  dial?: (address: string, port: number) => { host: string; port: number };
}

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 8 }), https: new https.Agent({ keepAlive: true, maxSockets: 8 }) };

/**
 * POSTs to tenant-supplied URLs (pre-send hook, event webhooks) with the SSRF guard: the name
 * is resolved here and the address checked (address-guard.ts), redirects are never followed
 * (a 3xx is just an answer), the whole exchange has a deadline and the answer a size limit.
 */
export function createWebhookHttp(opts: WebhookHttpOptions) {
  const resolve = opts.resolve ?? systemResolver;
  return {
    async post(
      rawUrl: string,
      req: { headers: Record<string, string>; body: string; timeoutMs: number; maxBytes: number; signal?: AbortSignal },
    ): Promise<WebhookAnswer> {
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        throw new WebhookHttpError('bad_url', 'the webhook URL is not a URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookHttpError('bad_url', 'the webhook URL is not http(s)');
      const deadline = AbortSignal.timeout(req.timeoutMs);
      const signal = req.signal ? AbortSignal.any([deadline, req.signal]) : deadline;
      let address: string;
      try {
        // The name's DNS server is the tenant's to run: its lookup is inside the deadline too.
        address = await untilAborted(safeAddress(url, { allowPrivate: opts.allowPrivate, resolve }), signal);
      } catch (err) {
        const code = (err as { code?: string }).code === 'blocked_address' ? 'blocked_address' : deadline.aborted ? 'timeout' : 'network';
        throw new WebhookHttpError(code, err instanceof Error ? err.message : String(err));
      }
      const secure = url.protocol === 'https:';
      const port = Number(url.port) || (secure ? 443 : 80);
      const to = opts.dial ? opts.dial(address, port) : { host: address, port };
      const name = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      return new Promise<WebhookAnswer>((done, fail) => {
        const r = (secure ? https : http).request(
          {
            method: 'POST',
            host: to.host,
            port: to.port,
            path: `${url.pathname}${url.search}`,
            headers: { ...req.headers, host: url.host, 'content-length': String(Buffer.byteLength(req.body)) },
            agent: secure ? agents.https : agents.http,
            // The certificate is checked against the name in the URL, not the address.
            ...(secure && !isIP(name) ? { servername: name } : {}),
            signal,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (c: Buffer) => {
              size += c.length;
              if (size > req.maxBytes) {
                res.destroy();
                fail(new WebhookHttpError('too_large', `the answer is larger than ${req.maxBytes} bytes`));
                return;
              }
              chunks.push(c);
            });
            res.on('end', () => {
              const ra = res.headers['retry-after'];
              done({ status: res.statusCode ?? 0, retryAfter: typeof ra === 'string' ? ra : null, body: Buffer.concat(chunks).toString('utf8') });
            });
            res.on('error', (err) => fail(failure(err, deadline)));
          },
        );
        r.on('error', (err) => fail(failure(err, deadline)));
        r.end(req.body);
      });
    },
  };
}

export type WebhookHttp = ReturnType<typeof createWebhookHttp>;

/** `p`, or the signal's reason once it aborts first (`p` still settles later, unobserved). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

function failure(err: Error, deadline: AbortSignal): WebhookHttpError {
  if (err instanceof WebhookHttpError) return err;
  if (deadline.aborted) return new WebhookHttpError('timeout', 'no answer in time');
  return new WebhookHttpError('network', err.message.slice(0, 200));
}

/** The `allowPrivate` switch from the environment: `PARLEY_ALLOW_PRIVATE_WEBHOOKS=1`. */
export const allowPrivateFromEnv = () => process.env.PARLEY_ALLOW_PRIVATE_WEBHOOKS === '1';
