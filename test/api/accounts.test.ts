import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryControl } from '../../api/bus/control';
import { createAccounts, type Accounts } from '../../api/chat/accounts';
import { createSealer } from '../../api/chat/keys';
import { verifyPassword } from '../../api/chat/passwords';
import { createTenantDirectory } from '../../api/chat/tenants';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/backends';

// Sessions, sign-in throttling and invitations against a clock the test moves.
describe.each(backends())('accounts on %s', (backend) => {
  let database: TestDatabase;
  let accounts: Accounts;
  let tenantId = '';
  let t = 1_000_000;
  const now = () => t;
  const PW = 'a long password';

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    accounts = createAccounts({ db: database.db, now, sessionTtlMs: 60_000, inviteTtlMs: 120_000 });
    const tenants = createTenantDirectory({ db: database.db, sealer: createSealer('k'), control: createMemoryControl({ log: () => {} }), now });
    tenantId = (await tenants.create({ name: 'acme', origins: [] })).tenantId;
    await accounts.create({ email: 'ann@example.com', password: PW });
  }, 60_000);
  afterAll(() => database?.close());

  it('stores only a salted scrypt hash, and checks it', async () => {
    const { sessionId } = await accounts.login('ann@example.com', PW, 'addr-0');
    const p = await accounts.principal(sessionId);
    expect(p).toMatchObject({ kind: 'account', email: 'ann@example.com', operator: false });
    const rows = (await database.db.execute(`select password_hash from accounts`)) as unknown as { rows?: { password_hash: string }[] } & { password_hash: string }[];
    const hash = (rows.rows ?? rows)[0]!.password_hash;
    expect(hash).toMatch(/^scrypt\$17\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword(PW, hash)).toBe(true);
    expect(await verifyPassword(`${PW}!`, hash)).toBe(false);
  });

  it('gives a new session id at each sign-in; a session ends at logout and at expiry', async () => {
    const a = await accounts.login('ann@example.com', PW, 'addr-1');
    const b = await accounts.login('ann@example.com', PW, 'addr-1');
    expect(a.sessionId).not.toBe(b.sessionId);
    await accounts.logout(a.sessionId);
    expect(await accounts.principal(a.sessionId)).toBeNull();
    expect(await accounts.principal(b.sessionId)).not.toBeNull();
    t += 59_999;
    expect(await accounts.principal(b.sessionId)).not.toBeNull();
    t += 1;
    expect(await accounts.principal(b.sessionId)).toBeNull();
  });

  it('refuses sign-in, even with the right password, after 5 failures for an email, until the window ends', async () => {
    for (let i = 0; i < 5; i++) await expect(accounts.login('ann@example.com', 'wrong password', `addr-${i}`)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(accounts.login('ann@example.com', PW, 'addr-9')).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 15 * 60_000 });
    t += 15 * 60_000;
    await expect(accounts.login('ann@example.com', PW, 'addr-9')).resolves.toMatchObject({ sessionId: expect.any(String) });
  });

  it('an unknown email is refused like a wrong password', async () => {
    await expect(accounts.login('nobody@example.com', PW, 'addr-x')).rejects.toMatchObject({ code: 'unauthorized', message: 'the email or password is wrong' });
  });

  it('an invitation is taken once, sets the password, and expires', async () => {
    const inv = await accounts.invite(tenantId, 'bob@example.com', 'moderator', { id: 'x', name: 'x' });
    expect(await accounts.inviteInfo(inv.token)).toMatchObject({ email: 'bob@example.com', role: 'moderator', tenantName: 'acme', hasAccount: false });
    const [one, two] = await Promise.allSettled([accounts.acceptInvite(inv.token, PW, 'a'), accounts.acceptInvite(inv.token, PW, 'a')]);
    expect([one.status, two.status].sort()).toEqual(['fulfilled', 'rejected']);
    const bob = await accounts.login('bob@example.com', PW, 'addr-b');
    expect((await accounts.principal(bob.sessionId))!).toMatchObject({ roles: new Map([[tenantId, 'moderator']]) });

    const late = await accounts.invite(tenantId, 'cy@example.com', 'admin', { id: 'x', name: 'x' });
    t += 120_000;
    await expect(accounts.acceptInvite(late.token, PW, 'a')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('an invitation for an existing account needs its password, and adds the role', async () => {
    const inv = await accounts.invite(tenantId, 'ann@example.com', 'admin', { id: 'x', name: 'x' });
    expect((await accounts.inviteInfo(inv.token)).hasAccount).toBe(true);
    await expect(accounts.acceptInvite(inv.token, 'not her password', 'a')).rejects.toMatchObject({ code: 'unauthorized' });
    const s = await accounts.acceptInvite(inv.token, PW, 'a');
    expect((await accounts.principal(s.sessionId))!).toMatchObject({ roles: new Map([[tenantId, 'admin']]) });
  });
});
