import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { newToken } from '../chat/keys';
import { pgCode } from '../db/query-error';
import { StartupError } from './startup-error';

/**
 * A secret from the options, else from a file in the data dir, else new. A new one is written
 * only by `save()`, which the server calls once the port is known free and the database
 * answered: a start that fails must leave no admin token or master key behind.
 */
export function secretFrom(given: string | undefined, dataDir: string | undefined, file: string) {
  const none = () => {};
  if (given) return { value: given, generated: false, save: none };
  const path = dataDir ? join(dataDir, file) : null;
  if (path && existsSync(path)) return { value: readFileSync(path, 'utf8').trim(), generated: false, save: none };
  const value = newToken();
  const save = () => {
    if (!path) return;
    mkdirSync(dataDir!, { recursive: true });
    writeFileSync(path, `${value}\n`, { mode: 0o600 });
  };
  return { value, generated: true, save };
}

/** The error of a port we cannot listen on, as one line. */
export function listenError(err: unknown, port: number): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') return new StartupError(`port ${port} is already in use (set PORT to another)`);
  if (code === 'EACCES') return new StartupError(`port ${port} needs privileges this process does not have`);
  return err;
}

/** Fails with a StartupError when `port` cannot be listened on; the probe closes at once. */
export async function probePort(port: number, host: string | undefined): Promise<void> {
  if (!port) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => reject(listenError(err, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** A database that does not answer at start, as one line: the code, never the URL (it holds the password). */
export function databaseError(err: unknown): StartupError {
  const e = err as { code?: string; errno?: string };
  const code = pgCode(err) ?? e.errno ?? e.code ?? (err instanceof Error ? err.name : 'unknown');
  return new StartupError(`the database did not answer (${code}); check DATABASE_URL and that the server is running`);
}
