/** Why the API refuses this page (the `reason` of `GET /v1/embed-check`). */
export type Refusal = 'unknown_key' | 'origin_not_allowed' | 'tenant_disabled';

const REFUSALS: readonly string[] = ['unknown_key', 'origin_not_allowed', 'tenant_disabled'];

/**
 * Asks the API why the socket for `key` would be refused for this page. Null when it would not
 * be (a network failure or a server restart closed it) or when the API cannot say (an older
 * server answers 404); a thrown error is a network failure. Either way the caller retries.
 */
export async function embedCheck(o: { api: string; key: string; fetch?: typeof fetch }): Promise<{ reason: Refusal; message: string } | null> {
  const res = await (o.fetch ?? fetch)(`${o.api}/v1/embed-check?key=${encodeURIComponent(o.key)}`, { credentials: 'omit' });
  if (!res.ok) return null;
  const b = await res.json();
  // The server words the explanation: the bundle carries none of that text.
  return b && !b.ok && REFUSALS.includes(b.reason) ? { reason: b.reason, message: `Parley: chat is off on this page. ${b.message || b.reason}` } : null;
}
