import { DEFAULTS, type ServerFrame, type WireMessage } from '../../api/protocol';

type Joined = Extract<ServerFrame, { type: 'joined' }>;
type History = Extract<ServerFrame, { type: 'history' }>;

/**
 * Where a room resumes after a reconnect (PROTOCOL.md, "Complete resume"): the change cursor
 * when the server gave one, so deletions made while away come back too; else the highest seq
 * such that everything up to it has arrived. Neither moves past a gap while catching up.
 */
export function createResume() {
  // The highest seq such that everything up to it has arrived.
  let seen = 0;
  // The change cursor: every change up to it has arrived (0 until a server gave one).
  let cursor = 0;
  // True while catching up after a resume; live events then must not move the resume point.
  let syncing = false;
  const from = () => (cursor ? { cursor } : { lastSeq: seen });
  const lastSeqOf = (messages: WireMessage[]) => messages.reduce((n, m) => Math.max(n, m.seq), seen);

  return {
    get syncing() {
      return syncing;
    },
    /** Whether a join now is a resume (something was held before). */
    get resuming() {
      return cursor > 0 || seen > 0;
    },
    /** The resume fields of `join`: none on the first join. */
    join: () => (cursor || seen ? { ...from(), limit: DEFAULTS.maxHistoryLimit } : {}),
    /** The fields of the `sync` that continues a catch-up. */
    sync: () => ({ ...from(), limit: DEFAULTS.maxHistoryLimit }),
    /** Takes a `joined`; true when more changes follow (send `sync`). */
    joined(f: Joined, resumed: boolean): boolean {
      syncing = resumed && f.hasMore && f.messages.length > 0;
      if (f.cursor != null) cursor = f.cursor;
      seen = syncing ? lastSeqOf(f.messages) : Math.max(f.reset ? 0 : seen, f.headSeq);
      return syncing;
    },
    /** Takes the answer to a catch-up `sync`; true when more changes follow. */
    synced(f: History, maxHeld: number): boolean {
      if (f.cursor != null) cursor = f.cursor;
      if (f.hasMore && f.messages.length) {
        seen = lastSeqOf(f.messages);
        return true;
      }
      syncing = false;
      seen = Math.max(seen, f.headSeq, maxHeld);
      return false;
    },
    /** A live change arrived (a `message` or `deleted` event); true when a gap needs a `sync`. */
    live(seq: number | undefined, at: number | undefined): boolean {
      if (syncing) return false;
      if (seq && seq > seen + 1) return (syncing = true);
      if (seq) seen = Math.max(seen, seq);
      if (at) cursor = Math.max(cursor, at);
      return false;
    },
    /** Catching up failed or the connection dropped: the next join resumes from where it stands. */
    stop() {
      syncing = false;
    },
    /** The server could not resume: start over as if nothing were held. */
    forget() {
      seen = cursor = 0;
      syncing = false;
    },
  };
}
