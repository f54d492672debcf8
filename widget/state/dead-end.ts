import { signal } from '@preact/signals-core';
import { CLOSE, type ServerFrame } from '../../api/protocol';
import type { ConnState } from '../client/connection';
import type { Refusal } from '../client/embed-check';

/**
 * Why this visitor cannot write, '' when they can: the site's setup refuses this page, they are
 * banned or muted, the room is private and they are not in it, or their token was refused and
 * cannot be renewed. The composer is disabled with one line saying which.
 */
export type DeadEnd = '' | 'site' | 'banned' | 'muted' | 'private' | 'signedOut';

/** Tracks the dead end from connection states and the server's refusals. */
export function createDeadEnd() {
  const kind = signal<DeadEnd>('');
  /** The server's own words, where it gave some (a mute says until when). */
  const why = signal('');
  const set = (k: DeadEnd, message = '') => {
    kind.value = k;
    why.value = message;
  };
  return {
    kind,
    why,
    /** A stop for good: which close code or refusal it was (a plain `stop()` is none). */
    state(next: ConnState, code?: number, refusal?: Refusal) {
      if (next !== 'stopped') return;
      if (refusal || code === CLOSE.revoked) set('site');
      else if (code === CLOSE.banned) set('banned');
      else if (code === CLOSE.authFailed) set('signedOut');
    },
    /** `joinRefused`: the room turned us away; `sendRefused`: a message got `forbidden` (a mute). */
    frame(f: ServerFrame, joinRefused: boolean, sendRefused: boolean) {
      if (f.type === 'joined' && (kind.peek() === 'private' || kind.peek() === 'muted')) set('');
      else if (f.type === 'error' && f.code === 'forbidden' && (joinRefused || sendRefused)) set(joinRefused ? 'private' : 'muted', f.message);
    },
  };
}
