import { randomUUID } from 'node:crypto';
import { codePointLength } from '../protocol';
import { ChatError } from './errors';
import type { Tenant } from './tenants';
import type { WebhookSigner } from './webhook-signing';

/** What the tenant's backend answers to `message.pre_send` (an empty 2xx body is `allow`). */
type Verdict = { action: 'allow' } | { action: 'reject'; reason?: string } | { action: 'replace'; text: string };

export type PreSendHook = ReturnType<typeof createPreSendHook>;

/**
 * The pre-send webhook: when a tenant sets `preSendUrl`, every message is POSTed there, signed
 * with Standard Webhooks headers, before it is stored; the answer allows it, refuses it
 * (`rejected`, with the backend's reason) or replaces its text. A hook that fails (an error
 * status, no answer within `preSendTimeoutMs`, a malformed answer) lets the message through
 * when `preSendFailOpen`, else refuses it: the tenant chooses availability or strictness.
 */
export function createPreSendHook(opts: {
  /** Signs a request to a tenant (webhook-signing.ts). */
  sign: WebhookSigner;
  log: (msg: string, err?: unknown) => void;
  fetch?: typeof fetch;
}) {
  const { sign } = opts;

  async function ask(tenant: Tenant, room: string, msg: { id: string; user: string; name: string; text: string }): Promise<Verdict> {
    const s = tenant.settings;
    const body = JSON.stringify({ type: 'message.pre_send', tenantId: tenant.id, room, message: msg });
    const res = await (opts.fetch ?? fetch)(s.preSendUrl, {
      method: 'POST',
      headers: sign(tenant.id, `msg_${randomUUID()}`, body, new Date()),
      body,
      signal: AbortSignal.timeout(s.preSendTimeoutMs),
    });
    if (!res.ok) throw new Error(`pre-send webhook answered ${res.status}`);
    const text = await res.text();
    // Answers are logged by size only: they may repeat the message (`replace`), and a
    // SyntaxError's message quotes the input.
    let v: Verdict;
    try {
      v = (text.trim() ? JSON.parse(text) : { action: 'allow' }) as Verdict;
    } catch {
      throw new Error(`pre-send webhook answered ${text.length} characters that are not JSON`);
    }
    if (v.action === 'allow' || v.action === 'reject') return v;
    if (v.action === 'replace' && typeof v.text === 'string' && v.text.trim() && codePointLength(v.text) <= s.maxTextLength) return v;
    throw new Error(`pre-send webhook answered an unknown verdict (${text.length} characters)`);
  }

  return {
    /** The text to store, or throws `rejected`. Only called when the tenant set a URL. */
    async check(tenant: Tenant, room: string, msg: { id: string; user: string; name: string; text: string }): Promise<string> {
      let v: Verdict;
      try {
        v = await ask(tenant, room, msg);
      } catch (err) {
        opts.log(`pre-send webhook of tenant ${tenant.id} failed`, err);
        if (tenant.settings.preSendFailOpen) return msg.text;
        throw new ChatError('rejected', "the site's moderation did not answer; try again");
      }
      if (v.action === 'reject') throw new ChatError('rejected', (typeof v.reason === 'string' && v.reason.slice(0, 200)) || 'the site refused this message');
      return v.action === 'replace' ? v.text : msg.text;
    },
  };
}
