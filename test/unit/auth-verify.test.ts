import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuth } from '../../api/chat/auth';
import type { Tenant, TenantDirectory } from '../../api/chat/tenants';
import type { Sealer } from '../../api/chat/keys';

const NOW_S = 1_800_000_000;
const secret = 'sk_test_secret_of_the_tenant_0123456789';
const other = 'sk_test_another_key_of_the_tenant_98765';
const tenant = { id: 't', settings: { guests: true, maxTokenLifetime: 86_400 } } as unknown as Tenant;
const tenants = { activeKeys: async () => [{ prefix: 'sk_a', key: other }, { prefix: 'sk_b', key: secret }] } as unknown as TenantDirectory;
const sealer = { derive: (p: string) => new TextEncoder().encode(`derived ${p}`) } as unknown as Sealer;
const auth = createAuth({ tenants, sealer, now: () => NOW_S * 1000 });

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A token signed by hand, so the test can put in what jose would refuse to sign. */
function handMade(header: object, payload: object, key = secret): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}
const claims = { sub: 'ann', name: 'Ann', iat: NOW_S, exp: NOW_S + 600 };

// The HS256 check is done with node:crypto, not jose's WebCrypto path: it must refuse what
// jwtVerify refused, and pick the right key among the tenant's.
describe('token verification', () => {
  it('accepts a token of any active key of the tenant, with or without kid', async () => {
    const jose = await new SignJWT({ name: 'Ann' }).setProtectedHeader({ alg: 'HS256' }).setSubject('ann').setIssuedAt(NOW_S).setExpirationTime(NOW_S + 600).sign(new TextEncoder().encode(secret));
    expect(await auth.verify(tenant, jose)).toMatchObject({ id: 'ann', name: 'Ann', keyPrefix: 'sk_b', expiresAt: (NOW_S + 600) * 1000 });
    expect(await auth.verify(tenant, handMade({ alg: 'HS256', kid: 'sk_a' }, claims, other))).toMatchObject({ id: 'ann', keyPrefix: 'sk_a' });
  });

  it.each([
    ['a signature by no key of the tenant', handMade({ alg: 'HS256' }, claims, 'sk_test_not_ours_000000000000000000'), /signature/],
    ['a cut signature', handMade({ alg: 'HS256' }, claims).slice(0, -4), /signature/],
    ['a payload changed after signing', (() => { const [h, , s] = handMade({ alg: 'HS256' }, claims).split('.'); return `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`; })(), /signature/],
    ['four parts', `${handMade({ alg: 'HS256' }, claims)}.x`, /malformed/],
    ['a crit extension', handMade({ alg: 'HS256', crit: ['b64'], b64: false }, claims), /extension/],
    ['a payload that is not an object', handMade({ alg: 'HS256' }, [1, 2] as unknown as object), /malformed/],
    ['an exp that is a string', handMade({ alg: 'HS256' }, { ...claims, exp: String(NOW_S + 600) }), /exp/],
    ['no exp', handMade({ alg: 'HS256' }, { sub: 'ann' }), /expired/],
    ['an exp passed', handMade({ alg: 'HS256' }, { ...claims, exp: NOW_S }), /expired/],
    ['an nbf beyond the tolerance', handMade({ alg: 'HS256' }, { ...claims, nbf: NOW_S + 120 }), /not valid yet/],
    ['an iat in the future', handMade({ alg: 'HS256' }, { ...claims, iat: NOW_S + 120 }), /not valid yet/],
    ['no sub', handMade({ alg: 'HS256' }, { exp: NOW_S + 600 }), /sub/],
  ])('refuses %s', async (_, token, message) => {
    await expect(auth.verify(tenant, token)).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringMatching(message) });
  });

  it('takes an nbf within the clock tolerance, and round-trips guest tokens', async () => {
    expect(await auth.verify(tenant, handMade({ alg: 'HS256' }, { ...claims, nbf: NOW_S + 30 }))).toMatchObject({ id: 'ann' });
    const g = await auth.guest(tenant, 'Zed');
    expect(await auth.verify(tenant, g.token)).toMatchObject({ id: g.identity.id, name: 'Zed', guest: true });
    const [h, p] = g.token.split('.');
    await expect(auth.verify(tenant, `${h}.${p}.${handMade({ alg: 'HS256', kid: 'guest' }, {}).split('.')[2]}`)).rejects.toMatchObject({ message: 'invalid guest token' });
  });
});
