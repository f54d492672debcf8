import { describe, expect, it } from 'vitest';
import { createMessageStore } from '../../widget/state/messages';

const msg = (seq: number, extra = {}) => ({ id: `m${seq}`, seq, ts: 1000 + seq, user: 'u2', name: 'Bob', text: `text ${seq}`, ...extra });

describe('message store', () => {
  it('orders by seq whatever order messages arrive in', () => {
    const s = createMessageStore();
    s.merge([msg(5), msg(2)]);
    s.merge([msg(9), msg(1), msg(7)]);
    expect(s.list.value.map((m) => m.seq)).toEqual([1, 2, 5, 7, 9]);
    expect(s.minSeq()).toBe(1);
    expect(s.maxSeq()).toBe(9);
  });

  it('keeps one copy per id when the same message comes from join, history, live and ack', () => {
    const s = createMessageStore();
    s.merge([msg(1), msg(2)]);
    s.merge([msg(2), msg(3)]);
    s.merge([msg(3)]);
    s.merge([{ id: 'm3', seq: 3, ts: 1003 }]);
    expect(s.list.value.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(s.get('m3')?.text).toBe('text 3');
  });

  it('puts unsent messages last, in the order written, and replaces them when stored', () => {
    const s = createMessageStore();
    s.merge([msg(1)]);
    s.merge([{ id: 'local-b', ts: 2, user: '', text: 'b', pending: true }]);
    s.merge([{ id: 'local-a', ts: 1, user: '', text: 'a', pending: true, error: 'internal' }]);
    s.merge([msg(2)]);
    expect(s.list.value.map((m) => m.id)).toEqual(['m1', 'm2', 'local-a', 'local-b']);
    // The ack of "a" arrives: it takes its stored place, no longer pending or failed.
    s.merge([{ id: 'local-a', seq: 3, ts: 5000, user: 'u1' }]);
    expect(s.list.value.map((m) => m.id)).toEqual(['m1', 'm2', 'local-a', 'local-b']);
    const a = s.get('local-a')!;
    expect([a.seq, a.pending, a.error, a.text]).toEqual([3, undefined, undefined, 'a']);
    expect(s.list.value.filter((m) => m.id === 'local-a')).toHaveLength(1);
    expect(s.maxSeq()).toBe(3);
  });

  it('a deleted message keeps its place and loses its text', () => {
    const s = createMessageStore();
    s.merge([msg(1), msg(2), msg(3)]);
    s.merge([{ id: 'm2', seq: 2, deleted: true }]);
    expect(s.list.value.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(s.get('m2')).toMatchObject({ deleted: true, user: 'u2' });
    expect(s.get('m2')?.text).toBeUndefined();
  });

  it('publishes a new array on each merge, so the UI re-renders', () => {
    const s = createMessageStore();
    const before = s.list.value;
    s.merge([msg(1)]);
    expect(s.list.value).not.toBe(before);
    expect(s.maxSeq()).toBe(1);
    expect(createMessageStore().maxSeq()).toBe(0);
  });
});
