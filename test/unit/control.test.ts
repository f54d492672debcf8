import { describe, expect, it } from 'vitest';
import { createMemoryControl, decodeControl, type ControlEvent } from '../../api/bus/control';

describe('control bus', () => {
  it('runs handlers in the order added, each after the one before, and a failing one does not stop the rest', async () => {
    const logged: string[] = [];
    const c = createMemoryControl({ log: (msg) => logged.push(msg) });
    const seen: string[] = [];
    let release = () => {};
    c.on(async (ev) => {
      seen.push(`first ${(ev as ControlEvent).kind}`);
      await new Promise<void>((r) => (release = r));
    });
    c.on(() => {
      seen.push('second');
      throw new Error('boom');
    });
    c.on(() => void seen.push('third'));
    const done = c.publish({ tenantId: 't', kind: 'bans', subject: 'u' });
    await Promise.resolve();
    expect(seen).toEqual(['first bans']);
    release();
    await done;
    expect(seen).toEqual(['first bans', 'second', 'third']);
    expect(logged).toEqual(['control event bans failed']);
  });

  it('drops malformed events from the channel', () => {
    expect(decodeControl(JSON.stringify(['s1', 't', 'room', 'lobby']))).toEqual({ server: 's1', ev: { tenantId: 't', kind: 'room', subject: 'lobby' } });
    for (const raw of ['', 'not json', '{}', '[]', JSON.stringify(['s', 't', 'nuke', 'x']), JSON.stringify(['s', '', 'tenant', '']), JSON.stringify(['s', 't', 'bans', 1]), JSON.stringify(['s', 't', 'bans', 'u', 'extra'])])
      expect(decodeControl(raw)).toBeNull();
  });
});
