import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RoomEventKind } from '../bus/bus';
import type { WebhookFailureCode } from '../chat/webhook-http';

/**
 * What the rest of the server tells the metrics. Plain functions, so the chat domain and the
 * gateway know nothing of Prometheus; `NO_METRICS` does nothing (unit tests, tools).
 */
export interface MetricHooks {
  connected(): void;
  joined(): void;
  /** One commit of the message writer: how many it carried and how many were new. */
  committed(batchSize: number, stored: number): void;
  delivered(kind: RoomEventKind): void;
  /** From the `message` frame's arrival to its `ack` being sent. */
  acked(ms: number): void;
  /** An ephemeral event (typing, presence, read) not written to a slow socket. */
  shed(kind: RoomEventKind): void;
}

export const NO_METRICS: MetricHooks = {
  connected() {},
  joined() {},
  committed() {},
  delivered() {},
  acked() {},
  shed() {},
};

/** Webhook attempts end in one of these (bounded label values). */
export type WebhookOutcome = 'ok' | 'error_status' | WebhookFailureCode;

/** Figures read when scraped rather than counted as they happen. */
export interface MetricSources {
  connections(): number;
  tooSlowClosed(): number;
  webhookQueueDepth(): Promise<number>;
  dbPool(): { max: number; busy: number; waiting: number };
  /** Failed reads of the hub (a gap fill or re-sync that will be retried). */
  gapFillFailures(): number;
}

const ms = (n: number) => n / 1000;

/**
 * The server's Prometheus registry and its instruments. One per server object: two servers in one
 * process (tests) must not add into each other's figures, so nothing here is module state.
 * Labels hold only closed sets (event kinds, outcomes, statuses), never a user, room or tenant.
 */
export function createMetrics() {
  const registry = new Registry();
  const r = [registry];
  const connections = new Counter({ name: 'parley_connections_opened_total', help: 'WebSocket connections accepted', registers: r });
  const joins = new Counter({ name: 'parley_joins_total', help: 'Room joins answered with joined', registers: r });
  const stored = new Counter({ name: 'parley_messages_stored_total', help: 'Messages committed (retried ids not counted)', registers: r });
  const batch = new Histogram({
    name: 'parley_commit_batch_size',
    help: 'Messages per group commit of one room',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: r,
  });
  // Bumped once per event per member socket (40,000 a second in the fan-out bench), so counted
  // in a plain object and added to the counter when it is read: prom-client's labelled inc()
  // was 4 % of the server's CPU there.
  const delivered: Record<string, number> = {};
  const deliveries = new Counter({
    name: 'parley_deliveries_total',
    help: 'Room events queued to sockets',
    labelNames: ['kind'],
    registers: r,
    collect() {
      for (const kind in delivered) {
        if (delivered[kind]) this.inc({ kind }, delivered[kind]);
        delivered[kind] = 0;
      }
    },
  });
  const ack = new Histogram({
    name: 'parley_ack_latency_seconds',
    help: 'From a message frame arriving to its ack being sent',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: r,
  });
  const busLag = new Histogram({
    name: 'parley_bus_delivery_lag_seconds',
    help: 'From a message commit to the bus handing it to this server (local or from another server)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: r,
  });
  const sheds = new Counter({ name: 'parley_backpressure_shed_total', help: 'Ephemeral events not sent to slow sockets', labelNames: ['kind'], registers: r });
  const refusals = new Counter({ name: 'parley_rate_limited_total', help: 'Requests refused by a rate limit', labelNames: ['limit'], registers: r });
  const upgrades = new Counter({ name: 'parley_upgrades_refused_total', help: 'WebSocket upgrades refused', labelNames: ['status'], registers: r });
  const busDrops = new Counter({
    name: 'parley_bus_publishes_dropped_total',
    help: 'Room events not published to Redis because the connection was down (other servers read messages from the database)',
    registers: r,
  });
  const webhooks = new Counter({
    name: 'parley_webhook_attempts_total',
    help: 'Webhook requests by hook and outcome',
    labelNames: ['hook', 'outcome'],
    registers: r,
  });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();

  const hooks: MetricHooks = {
    connected: () => connections.inc(),
    joined: () => joins.inc(),
    committed(size, n) {
      batch.observe(size);
      stored.inc(n);
    },
    delivered: (kind) => void (delivered[kind] = (delivered[kind] ?? 0) + 1),
    acked: (t) => ack.observe(ms(t)),
    shed: (kind) => sheds.inc({ kind }),
  };

  return {
    registry,
    hooks,
    busLag: (t: number) => busLag.observe(ms(Math.max(0, t))),
    busDropped: () => busDrops.inc(),
    /** `limit` is the limiter key's prefix (`message`, `report`, ...): a closed set. */
    rateLimited: (limit: string) => refusals.inc({ limit: /^[a-z_]{1,24}$/.test(limit) ? limit : 'other' }),
    upgradeRefused: (status: number) => upgrades.inc({ status: String(status) }),
    webhook: (hook: 'pre_send' | 'events', outcome: WebhookOutcome) => webhooks.inc({ hook, outcome }),
    /** Adds the figures read at scrape time. */
    sources(s: MetricSources) {
      new Gauge({ name: 'parley_connections', help: 'Open WebSocket connections', registers: r, collect() { this.set(s.connections()); } });
      new Counter({
        name: 'parley_too_slow_closed_total',
        help: 'Connections closed with 4050 (too slow)',
        registers: r,
        collect() {
          // The gateway keeps the count; the counter mirrors it at each scrape.
          this.reset();
          this.inc(s.tooSlowClosed());
        },
      });
      new Counter({
        name: 'parley_gap_fill_failures_total',
        help: 'Database reads to fill a gap the bus left (or re-sync a room) that failed and will be retried',
        registers: r,
        collect() {
          this.reset();
          this.inc(s.gapFillFailures());
        },
      });
      new Gauge({
        name: 'parley_webhook_queue_depth',
        help: 'Event webhooks recorded and not yet delivered (all servers sharing the database)',
        registers: r,
        async collect() {
          this.set(await s.webhookQueueDepth());
        },
      });
      new Gauge({
        name: 'parley_db_pool_connections',
        help: 'Database connections: the pool size (max), those running a query or transaction (busy), and queries waiting for one (waiting)',
        labelNames: ['state'],
        registers: r,
        collect() {
          const p = s.dbPool();
          this.set({ state: 'max' }, p.max);
          this.set({ state: 'busy' }, p.busy);
          this.set({ state: 'waiting' }, p.waiting);
        },
      });
      new Gauge({
        name: 'parley_event_loop_lag_seconds',
        help: 'Event-loop delay since the last scrape (p50, p99, max)',
        labelNames: ['quantile'],
        registers: r,
        collect() {
          // Reset per scrape: the figure describes the interval, not the process lifetime.
          const ns = (n: number) => (Number.isFinite(n) ? n / 1e9 : 0);
          this.set({ quantile: '0.5' }, ns(loop.percentile(50)));
          this.set({ quantile: '0.99' }, ns(loop.percentile(99)));
          this.set({ quantile: 'max' }, ns(loop.max));
          loop.reset();
        },
      });
    },
    close: () => loop.disable(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
