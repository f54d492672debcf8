import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryControl } from '../../api/bus/control';
import { createSealer } from '../../api/chat/keys';
import { Lru } from '../../api/chat/lru';
import { createTenantDirectory, type TenantDirectory } from '../../api/chat/tenants';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/backends';
import { connect } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

const wellFormed = () => `pk_${randomBytes(18).toString('base64url')}`;

describe('the LRU map', () => {
  it('keeps the most recently used entries and drops the oldest beyond its size', () => {
    const m = new Lru<string, number>(3);
    for (const [k, v] of [['a', 1], ['b', 2], ['c', 3]] as const) m.set(k, v);
    expect(m.get('a')).toBe(1);
    m.set('d', 4);
    expect([m.get('a'), m.get('b'), m.get('c'), m.get('d')]).toEqual([1, undefined, 3, 4]);
    expect(m.size).toBe(3);
  });
});

describe.each(backends())('publishable keys strangers send, on %s', (backend) => {
  let d: TestDatabase;
  let tenants: TenantDirectory;
  let pk = '';
  beforeAll(async () => {
    d = await openTestDatabase(backend);
    tenants = createTenantDirectory({ db: d.db, sealer: createSealer('k'), control: createMemoryControl({ log: () => {} }), maxCachedKeys: 50 });
    pk = (await tenants.create({ name: 'real', origins: ['*'] })).publishableKey;
  });
  afterAll(() => d?.close());

  it('are cached at most maxCachedKeys, and the real key still answers', async () => {
    expect(await tenants.byPublishableKey(pk)).toMatchObject({ name: 'real' });
    for (let i = 0; i < 400; i++) expect(await tenants.byPublishableKey(wellFormed())).toBeNull();
    expect(tenants.cachedKeys()).toBe(50);
    expect(await tenants.byPublishableKey(pk)).toMatchObject({ name: 'real' });
  });

  it('are refused before any lookup when malformed (prefix, length, charset)', async () => {
    const before = tenants.cachedKeys();
    for (const bad of ['', 'pk_', 'sk_' + 'a'.repeat(24), `pk_${'a'.repeat(23)}`, `pk_${'a'.repeat(25)}`, `pk_${'a'.repeat(23)}!`, `pk_${'x'.repeat(14_000)}`, `pk_${'é'.repeat(24)}`])
      expect(await tenants.byPublishableKey(bad)).toBeNull();
    expect(tenants.cachedKeys()).toBe(before);
    expect(await tenants.secretKey(`sk_${'a'.repeat(10)}`)).toBeNull();
  });
});

describe.each(backends())('the upgrade with a made-up key, on %s', (backend) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('is refused with 401, malformed or well-formed, and the demo key still connects', async () => {
    for (const key of [`pk_${'x'.repeat(14_000)}`, wellFormed(), 'nonsense'])
      await expect(connect(s.wsUrl, key)).rejects.toMatchObject({ status: 401 });
    (await connect(s.wsUrl, s.demo.publishableKey)).close();
  });
});
