/** The contract between run.ts and the load generator child process (config in, result out). */

export type Auth = { kind: 'guest' } | { kind: 'token'; secretKey: string };

interface Common {
  /** ws://host:port/v1/ws?key=… */
  url: string;
  auth: Auth;
  /** Prefix for user ids and message ids, unique per run step. */
  tag: string;
}

/** `members` spread evenly over `rooms` rooms (1 unless set), each sending `rate` messages a second. */
export interface FanoutConfig extends Common {
  mode: 'fanout';
  room: string;
  rooms?: number;
  members: number;
  rate: number;
  warmupS: number;
  measureS: number;
  drainMaxS: number;
  textBytes: number;
}

/** `conns` connections joined round-robin to `rooms` rooms, then held idle. */
export interface IdleConfig extends Common {
  mode: 'idle';
  conns: number;
  rooms: number;
  warmupConns: number;
  /** The join storm and its second wave, or the memory the connections keep (one server each). */
  part: 'storm' | 'memory';
}

/** `senders` connections joined to every room in `rooms`, each keeping `inflight` messages unacked. */
export interface StoreConfig extends Common {
  mode: 'store';
  rooms: string[];
  senders: number;
  inflight: number;
  warmupS: number;
  measureS: number;
  textBytes: number;
}

export type LoadConfig = FanoutConfig | IdleConfig | StoreConfig;

export interface FanoutResult {
  members: number;
  rate: number;
  windowS: number;
  sent: number;
  acked: number;
  unacked: number;
  expected: number;
  received: number;
  lost: number;
  /** Deliveries of messages whose ack never came within the drain. */
  deliveredUnacked: number;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ackP50Ms: number;
  ackP99Ms: number;
  outOfOrder: number;
  /** The slowest delivery among the messages sent in each second of the window, ms. */
  slowestPerSecondMs?: number[];
  slowLines: number;
  errors: Record<string, number>;
  closes: Record<string, number>;
  loadCpuPct: number;
}

export interface IdleResult {
  connected: number;
  failed: number;
  connectS: number;
  /** CPU seconds the load generator spent on the storm. */
  loadCpuS: number;
  /** The same clients again once the first wave has left: connect + join time, failures. */
  wave2S: number;
  wave2Failed: number;
  errors: Record<string, number>;
}

export interface StoreResult {
  rooms: number;
  windowS: number;
  acked: number;
  storedPerSec: number;
  ackP50Ms: number;
  ackP99Ms: number;
  /** Rooms whose acked seqs are exactly 1..n, as seen by the clients. */
  roomsGapFree: number;
  /** Highest seq acked in each room, for the database check. */
  maxSeq: Record<string, number>;
  ackedPerRoom: Record<string, number>;
  errors: Record<string, number>;
  loadCpuPct: number;
}

/** Lines the load generator prints: `@phase <name>` as it goes, `@result <json>` at the end. */
export const PHASE = '@phase ';
export const RESULT = '@result ';
/** run.ts's answer on the load generator's stdin once it has done what a phase asks (`@done <name>`). */
export const DONE = '@done ';
