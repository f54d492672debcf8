import { describe, expect, it } from 'vitest';
import { createOutbox } from '../../widget/client/outbox';
import { memoryStorage, safeStorage } from '../../widget/client/storage';

const item = (id: string, room = 'lobby') => ({ id, room, text: `hi ${id}`, ts: Date.now() });

describe('outbox', () => {
  it('keeps items in storage, so a new page (a new outbox on the same storage) sees them', () => {
    const storage = memoryStorage();
    const a = createOutbox({ storage, key: 'k' });
    a.add(item('1'));
    a.add(item('2', 'other'));
    a.add(item('3'));
    const b = createOutbox({ storage, key: 'k' });
    expect(b.items().map((i) => i.id)).toEqual(['1', '2', '3']);
    expect(b.items('lobby').map((i) => i.id)).toEqual(['1', '3']);
  });

  it('drops acknowledged items and clears the key when empty', () => {
    const storage = memoryStorage();
    const o = createOutbox({ storage, key: 'k' });
    o.add(item('1'));
    o.add(item('2'));
    o.remove('1');
    expect(o.items().map((i) => i.id)).toEqual(['2']);
    o.remove('2');
    expect(storage.getItem('k')).toBeNull();
  });

  it('adding the same id twice keeps one item', () => {
    const o = createOutbox({ storage: memoryStorage(), key: 'k' });
    o.add(item('1'));
    o.add(item('1'));
    expect(o.items()).toHaveLength(1);
  });

  it('marks failures and clears them on retry', () => {
    const o = createOutbox({ storage: memoryStorage(), key: 'k' });
    o.add(item('1'));
    o.update('1', { error: 'too_large' });
    expect(o.items()[0].error).toBe('too_large');
    o.update('1', { error: undefined });
    expect(o.items()[0].error).toBeUndefined();
  });

  it('survives garbage in storage', () => {
    const storage = memoryStorage();
    storage.setItem('k', '{not json');
    const o = createOutbox({ storage, key: 'k' });
    expect(o.items()).toEqual([]);
    o.add(item('1'));
    expect(o.items()).toHaveLength(1);
  });

  it('falls back to memory when localStorage cannot be used', () => {
    const denied = safeStorage(() => {
      throw new Error('SecurityError');
    });
    const o = createOutbox({ storage: denied, key: 'k' });
    o.add(item('1'));
    expect(o.items()).toHaveLength(1);

    const full = memoryStorage();
    const quota = safeStorage(() => ({ ...full, setItem: () => { throw new Error('QuotaExceededError'); } }));
    const q = createOutbox({ storage: quota, key: 'k' });
    q.add(item('2'));
    expect(q.items().map((i) => i.id)).toEqual(['2']);
  });
});
