import type { ErrorCode } from './codes';

/** A stored or broadcast chat message as it appears in `joined`, `history` and HTTP lists. */
export interface WireMessage {
  id: string;
  seq: number;
  ts: number;
  user: string;
  name?: string;
  text?: string;
  deleted?: true;
}

export interface Limits {
  maxTextLength: number;
  maxFrameBytes: number;
  messagesPerSecond: number;
  burst: number;
}

interface Base {
  rid?: string;
}

export type HelloFrame = Base & { type: 'hello'; token?: string; name?: string; batch?: boolean };
/** `cursor` (from `joined` or a live event) asks for every change since; it wins over `lastSeq`. */
export type JoinFrame = Base & { type: 'join'; room: string; lastSeq?: number; cursor?: number; limit?: number };
export type LeaveFrame = Base & { type: 'leave'; room: string };
export type MessageFrame = Base & { type: 'message'; room: string; id: string; text: string };
export type TypingFrame = Base & { type: 'typing'; room: string; active: boolean };
export type ReadFrame = Base & { type: 'read'; room: string; lastSeq: number };
/** One of `lastSeq` (messages after it) or `cursor` (every change after it). */
export type SyncFrame = Base & { type: 'sync'; room: string; lastSeq?: number; cursor?: number; limit?: number };
export type HistoryFrame = Base & { type: 'history'; room: string; beforeSeq: number; limit?: number };
export type PingFrame = Base & { type: 'ping' };
export type DeleteFrame = Base & { type: 'delete'; room: string; id: string };
export type ReportFrame = Base & { type: 'report'; room: string; id: string; reason?: string };
export type BlockFrame = Base & { type: 'block' | 'unblock'; user: string };
/** A moderator's mute or ban of a user, for `minutes` or (without) until lifted; needs role `moderator`. */
export type SanctionFrame = Base & { type: 'mute' | 'ban'; user: string; reason?: string; minutes?: number };
/** A moderator lifts a mute or ban. */
export type LiftFrame = Base & { type: 'unmute' | 'unban'; user: string };
/** A new token for the same user, before the current one expires: the socket lives on. */
export type RefreshFrame = Base & { type: 'refresh'; token: string };

/** Every frame a client may send. */
export type ClientFrame =
  | HelloFrame
  | JoinFrame
  | LeaveFrame
  | MessageFrame
  | TypingFrame
  | ReadFrame
  | SyncFrame
  | HistoryFrame
  | PingFrame
  | DeleteFrame
  | ReportFrame
  | BlockFrame
  | SanctionFrame
  | LiftFrame
  | RefreshFrame;

export type ClientFrameType = ClientFrame['type'];

export interface PresenceEntry {
  user: string;
  name: string;
}

export interface ReadEntry {
  user: string;
  lastSeq: number;
}

/** Every frame the server may send. */
export type ServerFrame =
  | (Base & {
      type: 'welcome';
      user: string;
      name: string;
      role: 'member' | 'moderator';
      guestToken?: string;
      heartbeatMs: number;
      limits: Limits;
      /** When the token expires (ms since the epoch): send `refresh` before, or be closed with 4501. */
      expiresAt: number;
      /** Whom this user blocks (at most MAX_WELCOME_BLOCKS), when anyone. */
      blocked?: string[];
    })
  | (Base & { type: 'refreshed'; expiresAt: number })
  | (Base & {
      type: 'joined';
      room: string;
      headSeq: number;
      messages: WireMessage[];
      hasMore: boolean;
      online: number;
      presence: PresenceEntry[];
      reads: ReadEntry[];
      lastRead: number;
      cursor: number;
      reset?: true;
    })
  | (Base & { type: 'left'; room: string })
  | (Base & { type: 'ack'; room?: string; id?: string; user?: string; seq?: number; ts?: number; duplicate?: true; text?: string })
  | (Base & { type: 'history'; room: string; messages: WireMessage[]; hasMore: boolean; headSeq: number; cursor?: number; reset?: true })
  | (Base & { type: 'pong'; ts: number })
  | (Base & { type: 'error'; code: ErrorCode; message: string; retryAfterMs?: number; room?: string })
  | { type: 'message'; room: string; id: string; seq: number; ts: number; user: string; name: string; text: string; cursor: number }
  | { type: 'deleted'; room: string; id: string; seq: number; cursor: number }
  | { type: 'typing'; room: string; user: string; name: string; active: boolean }
  | { type: 'presence'; room: string; user: string; name: string; status: 'online' | 'offline' }
  | { type: 'read'; room: string; user: string; lastSeq: number };

export type ServerFrameType = ServerFrame['type'];
