import { z } from 'zod';
import { validProxyEntry } from './client-address';
import type { LogLevel } from './logger';

// The environment `npm start` reads (README, "Configuration"), as one schema. Values are
// checked, never echoed: a problem names the variable and the rule, so a mistyped secret does
// not end up in a terminal, a log collector or a CI transcript.

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const secret = z.string().min(12, 'must be at least 12 characters');
const flag = z.enum(['0', '1', 'true', 'false'], `must be 1 or 0`).transform((v) => v === '1' || v === 'true');

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const ENV = z.object({
  PORT: int(0, 65535).default(8787),
  HOST: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  PARLEY_REDIS_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/, 'must be 1–64 letters, digits, _ : . or -').optional(),
  // The admin token opens every tenant: long enough that guessing is hopeless (#10).
  PARLEY_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  PARLEY_MASTER_KEY: secret.optional(),
  PARLEY_METRICS_TOKEN: secret.optional(),
  PARLEY_HEARTBEAT_MS: int(100, 600_000).optional(),
  PARLEY_COALESCE_MS: int(0, 1000).optional(),
  PARLEY_COMMIT_WINDOW_MS: int(0, 1000).optional(),
  PARLEY_ALLOW_PRIVATE_WEBHOOKS: flag.default(false),
  // Behind a load balancer the browser's origin is the balancer's, not this server's address.
  PARLEY_DEMO_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(url(['http:', 'https:'])).max(20, 'must list at most 20 origins'))
    .optional(),
  PARLEY_MAX_CONNECTIONS: int(1, 10_000_000).optional(),
  PARLEY_MAX_CONNECTIONS_PER_IP: int(1, 10_000_000).optional(),
  // The load balancer's addresses: their X-Forwarded-For names the client (api/ops/client-address.ts).
  PARLEY_TRUSTED_PROXIES: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.string().refine(validProxyEntry, 'must list loopback, private, IP addresses or CIDRs (e.g. 10.0.0.0/8), comma-separated'))
        .max(64, 'must list at most 64 entries'),
    )
    .optional(),
  LOG_LEVEL: z.enum(LEVELS, `must be one of ${LEVELS.join(', ')}`).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], 'must be json or pretty').optional(),
});

export type Config = z.output<typeof ENV> & { LOG_LEVEL: LogLevel };

/** A configuration that failed the schema; `problems` holds one line per variable at fault. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Parley's configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the configuration from an environment. An empty variable counts as unset (compose
 * files and shells leave `FOO=` behind). Throws a ConfigError listing every problem at once.
 */
export function readConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.keys(ENV.shape).flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
  const parsed = ENV.safeParse(present);
  if (parsed.success) return parsed.data as Config;
  // Zod's own messages can quote the input (an unknown enum value, say): only ours are used,
  // with the variable's name.
  throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
}
