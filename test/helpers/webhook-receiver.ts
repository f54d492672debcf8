import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One webhook request as the tenant's backend saw it. */
export interface Delivery {
  /** The `webhook-id` header. */
  id: string;
  /** Whether the Standard Webhooks signature checked out with the tenant's secret. */
  verified: boolean;
  body: any;
  /** The body as sent and the request's headers, to verify with another secret. */
  raw: string;
  headers: Record<string, string>;
}

/** What the receiver answers: a status, a JSON body, extra headers (`retry-after`, `location`). */
export interface Reply {
  status: number;
  json?: object;
  headers?: Record<string, string>;
}

/**
 * A tenant's backend for webhook tests: a real HTTP server that checks every signature with
 * `secret()`, records each request, and answers with what `reply` says (status, JSON body).
 */
export async function startWebhookReceiver(
  secret: () => string,
  reply: (d: Delivery) => Reply | Promise<Reply>,
) {
  const received: Delivery[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', async () => {
      let verified = true;
      try {
        new Webhook(secret()).verify(raw, req.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const d: Delivery = { id: String(req.headers['webhook-id']), verified, body: JSON.parse(raw), raw, headers: req.headers as Record<string, string> };
      received.push(d);
      const { status, json, headers } = await reply(d);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(json ? JSON.stringify(json) : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
