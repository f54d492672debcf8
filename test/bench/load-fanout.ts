/**
 * The fan-out scenario: one room (or members spread over several), every member sending at a fixed rate (open loop, evenly
 * spread, jittered phases), every member counting the `message` events it receives and their
 * end-to-end latency from the send time embedded in the text.
 */
import { connectBench, counters, nowUs, pool, textFor, type BenchSocket } from './bench-socket';
import { createHistogram } from './histogram';
import type { FanoutConfig, FanoutResult } from './load-types';

const bump = (m: Record<string, number>, k: string) => void (m[k] = (m[k] ?? 0) + 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one fan-out step; `phase` is told when the measured window starts and ends. */
export async function runFanout(cfg: FanoutConfig, phase: (name: string) => void): Promise<FanoutResult> {
  const n = cfg.members;
  const roomCount = cfg.rooms ?? 1;
  if (n % roomCount) throw new Error(`${n} members do not spread evenly over ${roomCount} rooms`);
  /** Member i's room; each room has n / roomCount members, who all receive its messages. */
  const roomOf = (i: number) => (roomCount === 1 ? cfg.room : `${cfg.room}-${i % roomCount}`);
  const perRoom = n / roomCount;
  const hist = createHistogram();
  const ackHist = createHistogram();
  const errors: Record<string, number> = {};
  const closes: Record<string, number> = {};
  // The cohort: messages whose send time falls in [winStartUs, winEndUs), set once the
  // schedule is known; warmup traffic is sent before it and never counted.
  let winStartUs = Infinity;
  let winEndUs = Infinity;
  let windowReceived = 0;
  let outOfOrder = 0;
  let cohortSent = 0;
  let cohortAcked = 0;
  let received = 0;
  let deliveredUnacked = 0;
  // Per member and message number: send time, deliveries seen, acked. Loss is counted per
  // acked message (N − its deliveries), so a delivery whose ack is late never hides a loss.
  const sendTimes: number[][] = Array.from({ length: n }, () => []);
  const delivered: number[][] = Array.from({ length: n }, () => []);
  const acked: number[][] = Array.from({ length: n }, () => []);
  const lastSeq = new Float64Array(n);
  /** The slowest delivery of the messages sent in each second of the window (µs). */
  const slowest: number[] = [];

  const sockets = await pool(n, 50, (i) =>
    connectBench({
      url: cfg.url,
      auth: cfg.auth,
      user: `${cfg.tag}-${i}`,
      name: `member ${i}`,
      rooms: [roomOf(i)],
      hooks: {
        onMessage(seq, sendUs, sender, k, recvUs) {
          if (seq <= lastSeq[i]) {
            outOfOrder++;
            return;
          }
          lastSeq[i] = seq;
          if (recvUs >= winStartUs && recvUs < winEndUs) windowReceived++;
          if (sendUs >= winStartUs && sendUs < winEndUs) {
            hist.record(recvUs - sendUs);
            const b = Math.floor((sendUs - winStartUs) / 1e6);
            if (!(slowest[b] >= recvUs - sendUs)) slowest[b] = recvUs - sendUs;
            if (sender >= 0 && sender < n && k < delivered[sender].length) delivered[sender][k]++;
          }
        },
        onAck(id, _room, _seq, recvUs) {
          const k = Number(id.slice(id.lastIndexOf('x') + 1));
          const t = sendTimes[i][k];
          if (t === undefined || acked[i][k]) return;
          acked[i][k] = 1;
          if (t >= winStartUs && t < winEndUs) {
            cohortAcked++;
            ackHist.record(recvUs - t);
          }
        },
        onFrame(f) {
          if (f.type === 'error') bump(errors, String(f.code));
        },
        onClose(code) {
          bump(closes, String(code));
        },
      },
    }),
  );
  const failed = sockets.filter((s) => s.status === 'rejected') as PromiseRejectedResult[];
  if (failed.length) throw new Error(`${failed.length} of ${n} members failed to connect: ${failed[0].reason}`);
  const members = sockets.map((s) => (s as PromiseFulfilledResult<BenchSocket>).value);
  phase('connected');

  // Open-loop schedule: member i sends at t0 + phase_i + k·period. Members sorted by phase
  // form a fixed cycle, so one pointer walks it: O(1) per send, one timer for everybody.
  const period = 1000 / cfg.rate;
  const phases = members.map(() => Math.random() * period);
  const order = phases.map((_, i) => i).sort((a, b) => phases[a] - phases[b]);
  const t0 = performance.now() + 50;
  const measureStart = t0 + cfg.warmupS * 1000;
  const measureEnd = measureStart + cfg.measureS * 1000;
  let idx = 0;
  let cycle = 0;
  let cpu0 = process.cpuUsage();
  let cpu1 = cpu0;
  winStartUs = (performance.timeOrigin + measureStart) * 1000;
  winEndUs = (performance.timeOrigin + measureEnd) * 1000;

  setTimeout(() => {
    cpu0 = process.cpuUsage();
    phase('measure-start');
  }, measureStart - performance.now());

  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      const stop = Math.min(now, measureEnd);
      for (;;) {
        const i = order[idx];
        if (t0 + cycle * period + phases[i] > stop) break;
        const sendUs = nowUs();
        const k = sendTimes[i].push(sendUs) - 1;
        delivered[i].push(0);
        acked[i].push(0);
        if (sendUs >= winStartUs && sendUs < winEndUs) cohortSent++;
        members[i].send(
          `{"type":"message","room":"${roomOf(i)}","id":"${cfg.tag}-${i}x${k}","text":"${textFor(sendUs, i, k, cfg.textBytes)}"}`,
        );
        if (++idx === n) {
          idx = 0;
          cycle++;
        }
      }
      if (now >= measureEnd) return done();
      setTimeout(tick, 1);
    };
    setTimeout(tick, t0 - performance.now());
  });
  cpu1 = process.cpuUsage(cpu0);
  phase('measure-end');

  /** Deliveries of acked cohort messages; also tallies deliveries of unacked ones. */
  function countReceived(): number {
    let got = 0;
    deliveredUnacked = 0;
    for (let i = 0; i < n; i++) {
      const t = sendTimes[i];
      for (let k = 0; k < t.length; k++) {
        if (t[k] < winStartUs || t[k] >= winEndUs) continue;
        if (acked[i][k]) got += delivered[i][k];
        else deliveredUnacked += delivered[i][k];
      }
    }
    return got;
  }

  // Drain: wait for the cohort's acks and deliveries, until complete, stalled, or out of time.
  const drainUntil = performance.now() + cfg.drainMaxS * 1000;
  let progress = -1;
  let lastProgressAt = performance.now();
  while (performance.now() < drainUntil) {
    received = countReceived();
    if (cohortAcked === cohortSent && received >= cohortAcked * perRoom) break;
    if (received + cohortAcked !== progress) {
      progress = received + cohortAcked;
      lastProgressAt = performance.now();
    } else if (performance.now() - lastProgressAt > 1500) break;
    await sleep(20);
  }
  for (const m of members) m.close();
  received = countReceived();

  const lat = hist.summary();
  const ack = ackHist.summary();
  const expected = cohortAcked * perRoom;
  return {
    members: n,
    rate: cfg.rate,
    windowS: cfg.measureS,
    sent: cohortSent,
    acked: cohortAcked,
    unacked: cohortSent - cohortAcked,
    expected,
    received,
    lost: expected - received,
    deliveredUnacked,
    deliveriesPerSec: windowReceived / cfg.measureS,
    p50Ms: lat.p50Ms,
    p99Ms: lat.p99Ms,
    maxMs: lat.maxMs,
    ackP50Ms: ack.p50Ms,
    ackP99Ms: ack.p99Ms,
    outOfOrder,
    slowestPerSecondMs: Array.from(slowest, (v) => Math.round((v ?? 0) / 100) / 10),
    slowLines: counters.slowLines,
    errors,
    closes,
    loadCpuPct: ((cpu1.user + cpu1.system) / 1000 / (cfg.measureS * 1000)) * 100,
  };
}
