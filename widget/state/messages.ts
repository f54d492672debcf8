import { signal, type ReadonlySignal } from '@preact/signals-core';
import type { ErrorCode } from '../../api/protocol';

/** A message as the widget shows it: stored ones have a `seq`, unsent ones are `pending`. */
export interface ChatMessage {
  id: string;
  seq?: number;
  ts: number;
  user: string;
  name?: string;
  text?: string;
  deleted?: boolean;
  /** Written on this device and not acknowledged yet. */
  pending?: boolean;
  /** Refused by the server; shown as failed with the reason and an Edit button. */
  error?: ErrorCode;
  /** The server's words for the refusal. */
  reason?: string;
}

/** A change to one message, found by `id`; fields left out keep their value. */
export type MessagePatch = Partial<ChatMessage> & { id: string };

/** The messages of one room: merged by id, ordered by seq, unsent ones last. */
export interface MessageStore {
  readonly list: ReadonlySignal<ChatMessage[]>;
  merge(patches: MessagePatch[]): void;
  /** Forgets an unsent message (the person took it back). */
  drop(id: string): void;
  get(id: string): ChatMessage | undefined;
  /** Highest seq held, 0 when none. */
  maxSeq(): number;
  /** Lowest seq held, 0 when none: the `beforeSeq` for loading older messages. */
  minSeq(): number;
  /** Forgets every stored message, keeping unsent ones (the server could not resume). */
  clearStored(): void;
}

const order = (a: ChatMessage, b: ChatMessage) =>
  a.seq != null ? (b.seq != null ? a.seq - b.seq : -1) : b.seq != null ? 1 : a.ts - b.ts;

/** Creates an empty message store. */
export function createMessageStore(): MessageStore {
  const byId = new Map<string, ChatMessage>();
  const list = signal<ChatMessage[]>([]);
  const seqs = () => list.value.filter((m) => m.seq != null) as Required<Pick<ChatMessage, 'seq'>>[];
  return {
    list,
    merge(patches) {
      if (!patches.length) return;
      for (const p of patches) {
        const m: ChatMessage = { ts: 0, user: '', ...byId.get(p.id), ...p };
        // Stored means acknowledged: the same id arriving with a seq (as ack, live event or
        // history) replaces the local copy instead of showing twice.
        if (m.seq != null) delete m.pending, delete m.error, delete m.reason;
        if (m.deleted) delete m.text;
        byId.set(p.id, m);
      }
      list.value = [...byId.values()].sort(order);
    },
    drop(id) {
      if (byId.delete(id)) list.value = list.value.filter((m) => m.id !== id);
    },
    get: (id) => byId.get(id),
    maxSeq: () => seqs().at(-1)?.seq ?? 0,
    minSeq: () => seqs()[0]?.seq ?? 0,
    clearStored() {
      for (const [id, m] of byId) if (m.seq != null) byId.delete(id);
      list.value = [...byId.values()].sort(order);
    },
  };
}
