import { Webhook } from 'standardwebhooks';

/** A tenant's webhook secret, derived from the server's master key (the same on every server). */
export const webhookSecret = (derive: (purpose: string) => Uint8Array, tenantId: string) =>
  `whsec_${Buffer.from(derive(`webhook:${tenantId}`)).toString('base64')}`;

/**
 * Standard Webhooks request headers for a body sent to a tenant, signed with its secret. One
 * signer per tenant is kept: building one decodes the secret.
 */
export function createWebhookSigner(secretFor: (tenantId: string) => string) {
  const signers = new Map<string, Webhook>();
  return (tenantId: string, webhookId: string, body: string, at: Date): Record<string, string> => {
    let w = signers.get(tenantId);
    if (!w) signers.set(tenantId, (w = new Webhook(secretFor(tenantId))));
    return {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': w.sign(webhookId, at, body),
    };
  };
}

export type WebhookSigner = ReturnType<typeof createWebhookSigner>;
