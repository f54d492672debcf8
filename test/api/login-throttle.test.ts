import { describe, expect, it } from 'vitest';
import { addressBucket, createLoginThrottle } from '../../api/chat/login-throttle';

// Password spraying (a few guesses at many accounts) is held back by the per-address limit; an
// IPv6 client owns a /64 and can send each guess from a new address in it.
describe('sign-in throttle per client address', () => {
  it('counts every address of one IPv6 /64 together, and an IPv4-mapped address as its IPv4', () => {
    let t = 1_000_000;
    const throttle = createLoginThrottle({ now: () => t, perEmail: 5, perAddress: 3, windowMs: 60_000 });
    const from = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:fffe', '2001:0db8:0001:0002:0:0:0:99'];
    from.forEach((a, i) => expect(throttle.begin(`victim${i}@example.com`, a), a).toBe(0));
    // A fourth address in the same /64, for yet another account: refused.
    expect(throttle.begin('victim9@example.com', '2001:db8:1:2::abcd')).toBeGreaterThan(0);
    // The neighbouring /64 is someone else.
    expect(throttle.begin('victim9@example.com', '2001:db8:1:3::1')).toBe(0);

    for (let i = 0; i < 3; i++) expect(throttle.begin(`other${i}@example.com`, '::ffff:203.0.113.7')).toBe(0);
    expect(throttle.begin('other9@example.com', '203.0.113.7')).toBeGreaterThan(0);
    expect(throttle.begin('other9@example.com', '203.0.113.8')).toBe(0);
    t += 60_000;
    expect(throttle.begin('victim9@example.com', '2001:db8:1:2::abcd')).toBe(0);
  });

  it('names the bucket of each spelling', () => {
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressBucket('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(addressBucket('10.1.2.3')).toBe('10.1.2.3');
    expect(addressBucket('unknown')).toBe('unknown');
  });
});
