import { Webhook } from 'standardwebhooks';

/**
 * A tenant's webhook secret of generation `gen`, derived from the server's master key (the same
 * on every server; nothing secret is stored). Generation 0 is the one every tenant started with.
 */
export const webhookSecret = (derive: (purpose: string) => Uint8Array, tenantId: string, gen = 0) =>
  `whsec_${Buffer.from(derive(gen ? `webhook:${tenantId}:${gen}` : `webhook:${tenantId}`)).toString('base64')}`;

/**
 * Standard Webhooks request headers for a body sent to a tenant, signed with each secret it has
 * now: one normally, two while a rotation's grace period runs (the header then holds both
 * signatures, space-separated, and a receiver holding either secret verifies). A decoded
 * signer is kept per secret.
 */
export function createWebhookSigner(secretsFor: (tenantId: string) => string | string[] | Promise<string[]>) {
  const signers = new Map<string, Webhook>();
  const signer = (secret: string) => {
    let w = signers.get(secret);
    if (!w) {
      if (signers.size > 10_000) signers.clear();
      signers.set(secret, (w = new Webhook(secret)));
    }
    return w;
  };
  return async (tenantId: string, webhookId: string, body: string, at: Date): Promise<Record<string, string>> => {
    const given = await secretsFor(tenantId);
    const secrets = typeof given === 'string' ? [given] : given;
    return {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': secrets.map((s) => signer(s).sign(webhookId, at, body)).join(' '),
    };
  };
}

export type WebhookSigner = ReturnType<typeof createWebhookSigner>;
