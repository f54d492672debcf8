import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import type { Auth } from '../../api/chat/auth';
import type { ChatService } from '../../api/chat/chat-service';
import type { Tenant, TenantDirectory } from '../../api/chat/tenants';
import { apiRoutes } from '../../api/routes/api-v1';
import { onError } from '../../api/routes/http-error';

// The narrowest boundary: the routes with stub domain objects, through app.request().
function app(draining: boolean) {
  const tenant = { id: 't1', settings: { maxTextLength: 4000 } } as unknown as Tenant;
  const tenants = { bySecretKey: async (k: string) => (k === 'sk_good' ? tenant : null) } as unknown as TenantDirectory;
  const post = vi.fn(async () => ({ room: 'r', id: 'm1', seq: 1, ts: 1 }));
  const chat = { post } as unknown as ChatService;
  const root = new Hono();
  root.onError(onError(() => {}));
  root.route('/v1', apiRoutes({ tenants, auth: {} as Auth, chat, draining: () => draining }));
  const send = () =>
    root.request('/v1/rooms/r/messages', {
      method: 'POST',
      headers: { authorization: 'Bearer sk_good', 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'm1', user: 'u', text: 'hi' }),
    });
  return { send, post };
}

describe('HTTP API while the server drains', () => {
  it('refuses a new message with a retryable internal error and does not take it in', async () => {
    const { send, post } = app(true);
    const r = await send();
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ error: { code: 'internal', message: expect.stringMatching(/shutting down/) } });
    expect(post).not.toHaveBeenCalled();
  });

  it('takes messages in while it is not draining', async () => {
    const { send, post } = app(false);
    const r = await send();
    expect(r.status).toBe(201);
    expect(post).toHaveBeenCalledOnce();
  });
});
