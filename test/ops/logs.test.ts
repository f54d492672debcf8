import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../api/ops/logger';
import { backends } from '../helpers/backends';
import { client, connect, join, userToken } from '../helpers/client';
import { dashboardUser, makeAccount } from '../helpers/accounts';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, http } from '../http/http';

// A full test-server run with the logger at `trace`, exercising every path that handles a
// secret or message text; then the log is searched for each of them.
describe.each(backends())('the JSON log on %s', (backend) => {
  const lines: string[] = [];
  let s: TestServer;
  const api = calls(() => s);
  const secrets: string[] = [];
  const texts = [`sock-text-${Math.random().toString(36).slice(2)}`, `http-text-${Math.random().toString(36).slice(2)}`];
  beforeAll(async () => {
    const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
    s = await startTestServer({ backend, logger });
    secrets.push(s.adminToken, s.masterKey, s.demo.secretKey);
  });
  afterAll(() => s?.stop());

  it('holds a line per request and refused upgrade, and no secret or message text', async () => {
    // Admin calls: a tenant (its secret key comes back), another key, its webhook secret.
    const t = await api.create({ name: 'logs', origins: ['https://ok.example'], settings: { guests: true } });
    secrets.push(t.secretKey);
    const key2 = await api.admin(`/tenants/${t.tenantId}/secret-keys`, { method: 'POST' });
    secrets.push(key2.body.secretKey);
    const hook = await api.admin(`/tenants/${t.tenantId}/webhook-secret`);
    expect(hook.status).toBe(200);
    secrets.push(hook.body.secret);

    // A dashboard account: its password, a wrong one, and the session cookie signing in gives.
    const password = `pw-${Math.random().toString(36).slice(2)}-Long-enough`;
    const wrongPassword = `wrong-${Math.random().toString(36).slice(2)}-Password`;
    secrets.push(password, wrongPassword);
    await makeAccount(s, 'logs@example.com', password, true);
    const op = dashboardUser(() => s);
    expect((await op.call('/session', { method: 'POST', body: { email: 'logs@example.com', password: wrongPassword } })).status).toBe(401);
    await op.signIn('logs@example.com', password);
    secrets.push(op.cookie!);
    expect((await op.call('/tenants')).status).toBe(200);

    // Hello with a signed token and as a guest (whose guestToken is a secret too); a message each way.
    const token = await userToken(s.demo.secretKey, { sub: 'ann', name: 'Ann' });
    secrets.push(token);
    const ann = await client(s.wsUrl, s.demo.publishableKey, { token });
    const guest = await client(s.wsUrl, s.demo.publishableKey, { name: 'Guest' });
    secrets.push(guest.welcome.guestToken);
    await join(ann, 'logroom');
    const ack = await ann.request({ type: 'message', room: 'logroom', id: crypto.randomUUID(), text: texts[0] });
    expect(ack.type).toBe('ack');
    const minted = await api.v1(s.demo.secretKey, '/tokens', { method: 'POST', body: { user: 'bob', name: 'Bob' } });
    expect(minted.status).toBe(201);
    secrets.push(minted.body.token);
    const posted = await api.v1(s.demo.secretKey, '/rooms/logroom/messages', { method: 'POST', body: { id: crypto.randomUUID(), user: 'bob', text: texts[1] } });
    expect(posted.status).toBeLessThan(300);
    // Refused: a wrong secret key, a wrong publishable key (it travels in the query), an origin.
    const wrongKey = `pk_wrong${Math.random().toString(36).slice(2)}`;
    secrets.push(wrongKey);
    expect((await api.v1('sk_wrongwrongwrong', '/rooms/logroom/messages')).status).toBe(401);
    await expect(connect(s.wsUrl, wrongKey)).rejects.toMatchObject({ status: 401 });
    await expect(connect(s.wsUrl, t.publishableKey, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    // A request id the caller chose is echoed and logged; a hostile one is replaced.
    const traced = await http(`${s.url}/healthz`, { headers: { 'x-request-id': 'trace-me-42' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-me-42');
    const hostile = await http(`${s.url}/healthz`, { headers: { 'x-request-id': 'a b<script>' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    ann.close();
    guest.close();
    await s.stop();

    const log = lines.join('');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>);
    for (const secret of secrets) expect(secret && log.includes(secret) ? `log holds ${secret.slice(0, 6)}…` : '').toBe('');
    for (const text of texts) expect(log.includes(text) ? `log holds ${text}` : '').toBe('');

    const requests = parsed.filter((l) => l.msg === 'request');
    const post = requests.find((l) => l.method === 'POST' && l.path === '/v1/rooms/logroom/messages');
    expect(post).toMatchObject({ level: 30, status: expect.any(Number), ms: expect.any(Number), reqId: expect.any(String) });
    expect(requests.find((l) => l.status === 401 && l.path === '/v1/rooms/logroom/messages')).toBeDefined();
    expect(requests.find((l) => l.reqId === 'trace-me-42')).toMatchObject({ level: 20, path: '/healthz', status: 200 });
    // Refused upgrades: one line each (the refusal log rate-limits them), through the log seam.
    const refused = parsed.filter((l) => /^upgrade refused/.test(l.msg)).map((l) => l.msg as string);
    expect(refused.some((m) => m.startsWith('upgrade refused: unknown key'))).toBe(true);
    expect(refused.some((m) => m.startsWith('upgrade refused: origin not allowed'))).toBe(true);
  });

  it('redacts secret fields whatever code logs them, and keeps only an error’s name, code, message and stack', () => {
    const out: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void out.push(l) } });
    const err = Object.assign(new Error('insert failed'), { code: 'E_INSERT', parameters: ['hello secret text'] });
    logger.info({ token: 'tok-1', nested: { text: 'hi there', password: 'pw-1' }, databaseUrl: 'postgres://u:pw-2@h/db' }, 'fields');
    logger.error({ err }, 'failed');
    const [fields, failed] = out.map((l) => JSON.parse(l));
    expect(fields).toMatchObject({ token: '[redacted]', nested: { text: '[redacted]', password: '[redacted]' }, databaseUrl: '[redacted]' });
    expect(failed.err).toEqual({ type: 'Error', message: 'insert failed', code: 'E_INSERT', stack: expect.any(String) });
  });
});
