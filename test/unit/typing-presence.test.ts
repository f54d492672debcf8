import { describe, expect, it } from 'vitest';
import { createMemoryPresence } from '../../api/chat/presence';
import { createMemoryRateLimiter } from '../../api/chat/rate-limit';
import { createTypingTracker, TYPING_TTL_MS } from '../../api/chat/typing';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('typing tracker', () => {
  it('forwards the first active, throttles refreshes to one a second, and expires after 5 s', () => {
    const c = clock();
    const t = createTypingTracker({ now: c.now });
    expect(t.update('t', 'r', 'u', 'U', true)).toMatchObject({ active: true });
    c.advance(300);
    expect(t.update('t', 'r', 'u', 'U', true)).toBeNull();
    c.advance(800);
    expect(t.update('t', 'r', 'u', 'U', true)).toMatchObject({ active: true });
    // Refreshed at 1100 ms: still shown 4.9 s later, gone after 5 s.
    c.advance(TYPING_TTL_MS - 100);
    expect(t.sweep()).toEqual([]);
    c.advance(100);
    expect(t.sweep()).toEqual([{ tenantId: 't', room: 'r', user: 'u', name: 'U', active: false }]);
    expect(t.sweep()).toEqual([]);
  });

  it('forwards active:false only when typing was shown, and clear() ends it once', () => {
    const c = clock();
    const t = createTypingTracker({ now: c.now });
    expect(t.update('t', 'r', 'u', 'U', false)).toBeNull();
    t.update('t', 'r', 'u', 'U', true);
    expect(t.clear('t', 'r', 'u')).toMatchObject({ active: false });
    expect(t.clear('t', 'r', 'u')).toBeNull();
    // A tight loop toggling typing forwards at most two events a second.
    let forwarded = 0;
    for (let i = 0; i < 100; i++) {
      if (t.update('t', 'r', 'v', 'V', i % 2 === 0)) forwarded++;
      c.advance(10);
    }
    expect(forwarded).toBeLessThanOrEqual(4);
  });

  it('tells a start held back by the throttle when its second is over, if the user is still typing', () => {
    const c = clock();
    const t = createTypingTracker({ now: c.now });
    const on = { tenantId: 't', room: 'r', user: 'u', name: 'U', active: true };
    // Typed, sent (typing ends), and began the next message 300 ms after the first start.
    expect(t.update('t', 'r', 'u', 'U', true)).toEqual(on);
    c.advance(100);
    expect(t.clear('t', 'r', 'u')).toMatchObject({ active: false });
    c.advance(200);
    expect(t.update('t', 'r', 'u', 'U', true)).toBeNull();
    c.advance(500);
    expect(t.sweep()).toEqual([]);
    // The second since the last start is over: the room is told, once.
    c.advance(200);
    expect(t.sweep()).toEqual([on]);
    expect(t.sweep()).toEqual([]);
    // Then it expires as any typing does.
    c.advance(TYPING_TTL_MS);
    expect(t.sweep()).toEqual([{ ...on, active: false }]);

    // Held back, then stopped before the second was over: nothing is told.
    c.advance(2000);
    expect(t.update('t', 'r', 'v', 'V', true)).toMatchObject({ active: true });
    expect(t.update('t', 'r', 'v', 'V', false)).toMatchObject({ active: false });
    expect(t.update('t', 'r', 'v', 'V', true)).toBeNull();
    expect(t.update('t', 'r', 'v', 'V', false)).toBeNull();
    c.advance(1000);
    expect(t.sweep()).toEqual([]);
  });
});

describe('memory presence', () => {
  it('counts connections per user: the second tab keeps the user online', async () => {
    const p = createMemoryPresence();
    expect(await p.add('t', 'r', { user: 'a', name: 'A' }, 'c1')).toBe(true);
    expect(await p.add('t', 'r', { user: 'a', name: 'A' }, 'c2')).toBe(false);
    expect(await p.add('t', 'r', { user: 'b', name: 'B' }, 'c3')).toBe(true);
    expect(await p.list('t', 'r', 100)).toEqual({ online: 2, presence: [{ user: 'a', name: 'A' }, { user: 'b', name: 'B' }] });
    expect(await p.list('t', 'r', 1)).toMatchObject({ online: 2, presence: [{ user: 'a' }] });
    expect(await p.remove('t', 'r', 'a', 'c1')).toBe(false);
    expect(await p.remove('t', 'r', 'a', 'c2')).toBe(true);
    expect(await p.remove('t', 'r', 'a', 'c2')).toBe(false);
    expect(await p.list('other-tenant', 'r', 100)).toEqual({ online: 0, presence: [] });
  });
});

describe('rate limiter', () => {
  it('allows a burst, then refills at the rate, per tenant and key', async () => {
    const c = clock();
    const l = createMemoryRateLimiter({ now: c.now });
    const limit = { rate: 5, burst: 10 };
    for (let i = 0; i < 10; i++) expect(await l.take('t', 'k', limit)).toBe(0);
    expect(await l.take('t', 'k', limit)).toBe(200);
    expect(await l.take('t2', 'k', limit)).toBe(0);
    c.advance(200);
    expect(await l.take('t', 'k', limit)).toBe(0);
    expect(await l.take('t', 'other', limit)).toBe(0);
  });
});
