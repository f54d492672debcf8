import pino, { type DestinationStream, type Logger } from 'pino';
import { loggableError } from '../db/query-error';

export type { Logger };

/** The seam most code logs through: a message and, for failures, the error. */
export type LogFn = (msg: string, err?: unknown) => void;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Field paths whose values never reach a log line, whatever code puts them there. Message text,
 * tokens, keys and passwords: PROTOCOL.md and HELPERS.md forbid them in logs. Paths are exact
 * pino paths (one `*` level), so each field is listed at the top level and one level down.
 */
const SECRET_FIELDS = [
  'text',
  'token',
  'guestToken',
  'password',
  'secret',
  'secretKey',
  'adminToken',
  'masterKey',
  'authorization',
  'key',
  'url',
  'databaseUrl',
  'redisUrl',
];
const REDACT = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

/**
 * Errors keep their class, code, message and stack, nothing else: a driver's error can carry the
 * statement's parameters (message text, token hashes) as enumerable fields, and a query error's
 * message holds them too (`loggableError` rewrites it to sizes).
 */
function errSerializer(raw: unknown) {
  const err = loggableError(raw);
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { type: err.name, message: err.message, ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}), stack: err.stack };
}

export interface LoggerOptions {
  /** Default `info` (`LOG_LEVEL` in main.ts). */
  level?: LogLevel;
  /** Where lines go (default stdout). Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/** One JSON object per line, with `level`, `time`, `msg` and fields; secrets redacted. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'parley' },
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: errSerializer },
    },
    opts.destination,
  );
}

/** The `log(msg, err?)` seam over a logger: with an error it is an `error` line, else `warn`. */
export function logFn(logger: Logger): LogFn {
  return (msg, err) => {
    if (err === undefined) logger.warn(msg);
    else logger.error({ err }, msg);
  };
}
