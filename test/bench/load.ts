/**
 * The load generator, run by run.ts as its own process pinned to the load core. It takes one
 * JSON config (BENCH_LOAD_CONFIG, or argv[2]) and speaks only PROTOCOL.md, so it drives the
 * baseline and Parley identically. Progress goes to stdout as `@phase <name>` lines and the
 * figures as one `@result <json>` line; anything else on stdout is for people.
 *
 * Standalone: tsx test/bench/load.ts '{"mode":"fanout","url":"ws://127.0.0.1:8790/v1/ws?key=x",
 *   "auth":{"kind":"guest"},"tag":"t1","room":"r1","members":50,"rate":1,"warmupS":1,
 *   "measureS":5,"drainMaxS":3,"textBytes":64}'
 */
import { runFanout } from './load-fanout';
import { runIdle } from './load-idle';
import { runStore } from './load-store';
import { createInterface } from 'node:readline';
import { DONE, PHASE, RESULT, type LoadConfig } from './load-types';

// A phase resolves when run.ts answers that it has done what the phase asks (read /proc, had
// the server collect garbage); the scenarios that only mark time do not wait for it.
const waiting = new Map<string, (() => void)[]>();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.startsWith(DONE)) return;
  const name = line.slice(DONE.length);
  waiting.get(name)?.shift()?.();
});
const phase = (name: string) =>
  new Promise<void>((resolve) => {
    waiting.set(name, [...(waiting.get(name) ?? []), resolve]);
    process.stdout.write(`${PHASE}${name}\n`);
  });

async function main(): Promise<void> {
  const raw = process.env.BENCH_LOAD_CONFIG ?? process.argv[2];
  if (!raw) throw new Error('usage: load.ts <json config> (or BENCH_LOAD_CONFIG)');
  const cfg = JSON.parse(raw) as LoadConfig;
  const result =
    cfg.mode === 'fanout' ? await runFanout(cfg, phase) : cfg.mode === 'idle' ? await runIdle(cfg, phase) : await runStore(cfg, phase);
  process.stdout.write(`${RESULT}${JSON.stringify(result)}\n`, () => process.exit(0));
}

main().catch((e) => {
  process.stdout.write(`${RESULT}${JSON.stringify({ error: String(e?.message ?? e) })}\n`, () => process.exit(1));
});
