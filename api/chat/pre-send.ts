import { randomUUID } from 'node:crypto';
import { codePointLength, DEFAULTS } from '../protocol';
import { ChatError } from './errors';
import type { Tenant } from './tenants';
import type { WebhookHttp } from './webhook-http';
import type { WebhookSigner } from './webhook-signing';

/** What the tenant's backend answers to `message.pre_send` (an empty 2xx body or `{}` is `allow`). */
type Verdict = { action: 'allow' } | { action: 'reject'; reason: string | null } | { action: 'replace'; text: string };

export type PreSendHook = ReturnType<typeof createPreSendHook>;

const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_REASON = 200;
/** A tenant's failing hook is logged at most this often, not once per message. */
const LOG_EVERY_MS = 60_000;

/**
 * The reason shown to the sender, as plain text: control and formatting characters (bidi
 * overrides among them) dropped, whitespace folded, at most 200 characters. The reason is the
 * only part of the backend's answer that reaches a user.
 */
export function plainReason(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const text = v
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text ? [...text].slice(0, MAX_REASON).join('') : null;
}

/** The backend's answer as a verdict, or a short description of what is wrong with it. */
function verdictOf(text: string, maxTextLength: number): Verdict | string {
  if (!text.trim()) return { action: 'allow' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'an answer that is not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'an answer that is not a JSON object';
  const a = v as { action?: unknown; reason?: unknown; text?: unknown };
  if (a.action === undefined || a.action === 'allow') return { action: 'allow' };
  if (a.action === 'reject') return { action: 'reject', reason: plainReason(a.reason) };
  if (a.action === 'replace' && typeof a.text === 'string' && a.text.trim() && codePointLength(a.text) <= maxTextLength) return { action: 'replace', text: a.text };
  return a.action === 'replace' ? 'a replace without a usable text' : 'an unknown action';
}

/**
 * The pre-send webhook: when a tenant sets `preSendUrl`, every message is POSTed there, signed
 * with Standard Webhooks headers, through the SSRF guard (webhook-http.ts), before it is
 * stored; the answer allows it, refuses it (`rejected`, with the backend's reason as plain
 * text) or replaces its text. A hook that fails (an error status, no answer within
 * `preSendTimeoutMs`, a malformed answer) lets the message through when `preSendFailOpen`,
 * else refuses it: the tenant chooses availability or strictness. Failures are logged once a
 * minute per tenant, one line without a stack.
 */
export function createPreSendHook(opts: {
  /** Signs a request to a tenant (webhook-signing.ts). */
  sign: WebhookSigner;
  http: WebhookHttp;
  log: (msg: string, err?: unknown) => void;
  now?: () => number;
}) {
  const { sign } = opts;
  const now = opts.now ?? Date.now;
  const lastLogged = new Map<string, number>();

  function logOnce(tenantId: string, what: string) {
    const t = now();
    if (t - (lastLogged.get(tenantId) ?? -Infinity) < LOG_EVERY_MS) return;
    lastLogged.set(tenantId, t);
    if (lastLogged.size > 10_000) lastLogged.clear();
    opts.log(`pre-send webhook of tenant ${tenantId} failed: ${what} (logged once a minute)`);
  }

  async function ask(tenant: Tenant, room: string, msg: { id: string; user: string; name: string; text: string }): Promise<Verdict | string> {
    const s = tenant.settings;
    const body = JSON.stringify({ type: 'message.pre_send', tenantId: tenant.id, room, message: msg });
    try {
      const res = await opts.http.post(s.preSendUrl, {
        headers: await sign(tenant.id, `msg_${randomUUID()}`, body, new Date()),
        body,
        // Capped here too: a value stored before the cap existed may be larger.
        timeoutMs: Math.min(s.preSendTimeoutMs, DEFAULTS.maxPreSendTimeoutMs),
        maxBytes: MAX_ANSWER_BYTES,
      });
      if (res.status < 200 || res.status > 299) return `answered ${res.status}`;
      return verdictOf(res.body, s.maxTextLength);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
    }
  }

  return {
    /** The text to store, or throws `rejected`. Only called when the tenant set a URL. */
    async check(tenant: Tenant, room: string, msg: { id: string; user: string; name: string; text: string }): Promise<string> {
      const v = await ask(tenant, room, msg);
      if (typeof v === 'string') {
        logOnce(tenant.id, v);
        if (tenant.settings.preSendFailOpen) return msg.text;
        throw new ChatError('rejected', "the site's moderation did not answer; try again");
      }
      if (v.action === 'reject') throw new ChatError('rejected', v.reason ?? 'the site refused this message');
      return v.action === 'replace' ? v.text : msg.text;
    },
  };
}
