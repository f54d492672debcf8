import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAccount } from '../helpers/accounts';
import { startTestServer, type TestServer } from '../helpers/server';
import { http } from './http';

// An attacker guessing a dashboard password sends the guesses at once, not one after another.
describe('sign-in throttling under concurrent guesses', () => {
  let s: TestServer;
  const PW = 'correct horse battery';
  beforeAll(async () => {
    s = await startTestServer();
    await makeAccount(s, 'target@example.com', PW);
  }, 60_000);
  afterAll(() => s?.stop());

  const signIn = (email: string, password: string) =>
    http(`${s.url}/admin/api/session`, { method: 'POST', body: { email, password }, headers: { origin: s.url } });

  it('lets through only five guesses for one email however many arrive together', async () => {
    // Every guess is checked by scrypt for hundreds of milliseconds; all twelve arrive before the first is done.
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn(i % 2 ? 'target@example.com' : ' TARGET@Example.com ', `wrong guess ${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 401)).toHaveLength(5);
    expect(statuses.filter((x) => x === 429)).toHaveLength(7);
    // The right password is refused too until the window ends.
    expect((await signIn('target@example.com', PW)).status).toBe(429);
  }, 120_000);
});
