import { describe, expect, it } from 'vitest';
import { createMemoryPresence } from '../../api/chat/presence';
import type { Tenant } from '../../api/chat/tenants';
import { createTypingTracker } from '../../api/chat/typing';
import { Session, type SessionDeps } from '../../api/ws/session';
import type { Transport } from '../../api/ws/transport';

const tenant = { id: 't1', settings: {} } as Tenant;

/** A transport that keeps what it is given (the session's in-memory seam). */
function memoryTransport(): Transport & { sent: string[] } {
  return {
    sent: [],
    send(json) {
      this.sent.push(json);
    },
    sendEvent() {},
    setBatch() {},
    ping() {},
    close() {},
    terminate() {},
    bufferedBytes: 0,
    overSoftSince: 0,
    closed: false,
  };
}

describe('session join', () => {
  it('leaves no presence behind when the socket closes while the join reads the room', async () => {
    const presence = createMemoryPresence();
    const published: string[] = [];
    let release!: () => void;
    const reading = new Promise<void>((r) => (release = r));
    const deps = {
      presence,
      typing: createTypingTracker({ now: Date.now }),
      hub: { add: async () => {}, remove() {}, ready() {} },
      chat: {
        async joinRoom() {
          await reading;
          return { page: { messages: [], hasMore: false, headSeq: 0, cursor: 0 }, headRev: 0, reads: [] };
        },
        publishTyping() {},
      },
      presenceEvents: { change: (_t: string, _r: string, _u: string, _n: string, status: string) => void published.push(status) },
      now: Date.now,
      log() {},
    } as unknown as SessionDeps;
    const s = new Session(deps, tenant, memoryTransport());
    s.user = { id: 'ann', name: 'Ann', role: 'member', rooms: null, guest: false };
    s.state = 'ready';
    const joining = s.join('r', {}, {});
    await new Promise((r) => setImmediate(r));
    await s.onClose();
    release();
    await joining;
    expect(await presence.list('t1', 'r', 10)).toEqual({ online: 0, presence: [] });
    // Nobody was told Ann came online without also being told she left.
    expect(published.filter((x) => x === 'online').length).toBe(published.filter((x) => x === 'offline').length);
  });
});
