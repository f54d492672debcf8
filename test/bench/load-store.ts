/**
 * The storage scenario: a few connections joined to the target rooms keep many messages in
 * flight each (send the next on every ack), so the server always has a queue to commit. The
 * figure is acks a second; every ack promises a committed row (PROTOCOL.md, Durability).
 */
import { connectBench, nowUs, pool, textFor, type BenchSocket } from './bench-socket';
import { createHistogram } from './histogram';
import type { StoreConfig, StoreResult } from './load-types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bump = (m: Record<string, number>, k: string) => void (m[k] = (m[k] ?? 0) + 1);

/** Runs the storage step and checks on the client side that acked seqs are 1..n per room. */
export async function runStore(cfg: StoreConfig, phase: (name: string) => void): Promise<StoreResult> {
  const ackHist = createHistogram();
  const errors: Record<string, number> = {};
  const seqs = new Map<string, number[]>(cfg.rooms.map((r) => [r, []]));
  let sending = false;
  let inflight = 0;
  let acked = 0;
  let windowAcked = 0;
  let winStartUs = Infinity;
  let winEndUs = Infinity;
  let roomCursor = 0;
  const sendTimes: number[][] = Array.from({ length: cfg.senders }, () => []);
  const socks: BenchSocket[] = [];

  const sendOne = (i: number) => {
    const room = cfg.rooms[roomCursor++ % cfg.rooms.length];
    const t = nowUs();
    const k = sendTimes[i].push(t) - 1;
    inflight++;
    const id = `${cfg.tag}-${i}x${k}`;
    socks[i].send(`{"type":"message","rid":"${id}","room":"${room}","id":"${id}","text":"${textFor(t, i, k, cfg.textBytes)}"}`);
  };

  const results = await pool(cfg.senders, 16, (i) =>
    connectBench({
      url: cfg.url,
      auth: cfg.auth,
      user: `${cfg.tag}-s${i}`,
      name: `sender ${i}`,
      rooms: cfg.rooms,
      timeoutMs: 60_000,
      hooks: {
        // Each sender is also a member and gets every event of its rooms; they are not counted.
        onMessage() {},
        onAck(id, room, seq, recvUs) {
          inflight--;
          acked++;
          seqs.get(room)?.push(seq);
          if (recvUs >= winStartUs && recvUs < winEndUs) {
            windowAcked++;
            const t = sendTimes[i][Number(id.slice(id.lastIndexOf('x') + 1))];
            if (t) ackHist.record(recvUs - t);
          }
          if (sending) sendOne(i);
        },
        onFrame(f) {
          if (f.type === 'error') {
            bump(errors, String(f.code));
            if (typeof f.rid === 'string' && f.rid.startsWith(cfg.tag)) {
              inflight--;
              if (sending) setTimeout(() => sending && sendOne(i), f.retryAfterMs ?? 10);
            }
          }
        },
        onClose(code) {
          bump(errors, `close_${code}`);
        },
      },
    }),
  );
  const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  if (failed.length) throw new Error(`${failed.length} senders failed to connect: ${failed[0].reason}`);
  for (const r of results) socks.push((r as PromiseFulfilledResult<BenchSocket>).value);
  phase('connected');

  const start = performance.now();
  winStartUs = (performance.timeOrigin + start + cfg.warmupS * 1000) * 1000;
  winEndUs = winStartUs + cfg.measureS * 1e6;
  sending = true;
  for (let i = 0; i < cfg.senders; i++) for (let j = 0; j < cfg.inflight; j++) sendOne(i);
  await sleep(cfg.warmupS * 1000);
  const cpu0 = process.cpuUsage();
  phase('measure-start');
  await sleep(cfg.measureS * 1000);
  const cpu = process.cpuUsage(cpu0);
  phase('measure-end');
  sending = false;
  const until = performance.now() + 15_000;
  while (inflight > 0 && performance.now() < until) await sleep(20);
  if (inflight > 0) errors.unacked_at_end = inflight;
  for (const s of socks) s.close();

  let roomsGapFree = 0;
  const maxSeq: Record<string, number> = {};
  const ackedPerRoom: Record<string, number> = {};
  for (const [room, list] of seqs) {
    list.sort((a, b) => a - b);
    maxSeq[room] = list.length ? list[list.length - 1] : 0;
    ackedPerRoom[room] = list.length;
    if (list.every((s, i) => s === i + 1)) roomsGapFree++;
  }
  const ack = ackHist.summary();
  return {
    rooms: cfg.rooms.length,
    windowS: cfg.measureS,
    acked,
    storedPerSec: windowAcked / cfg.measureS,
    ackP50Ms: ack.p50Ms,
    ackP99Ms: ack.p99Ms,
    roomsGapFree,
    maxSeq,
    ackedPerRoom,
    errors,
    loadCpuPct: ((cpu.user + cpu.system) / 1000 / (cfg.measureS * 1000)) * 100,
  };
}
