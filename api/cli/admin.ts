import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

// `npm run admin -- <command>`: the operator's command line. It is a thin client of the Admin API
// of a running server, so it works the same on the embedded database (which only the server
// process may open) and on Postgres.

const USAGE = `Usage: npm run admin -- <command> [options]

Commands:
  tenant:create --name <name> [--origin <origin>]... [--guests]
      Creates a tenant; prints {tenantId, publishableKey, secretKey} (the secret is shown only now).
  tenant:list
      Prints every tenant with its origins, settings and key prefixes (no secrets).
  tenant:update --tenant <id> [--name <name>] [--origin <origin>]... [--guests | --no-guests]
      [--max-text-length <n>] [--messages-per-second <n>] [--burst <n>] [--retention-days <n>]
      [--disable | --enable]
      Changes a tenant; --origin replaces the whole list. Prints the tenant.
  key:create --tenant <id>
      Adds a secret key; prints {secretKey, prefix}. Older keys keep working until revoked.
  key:revoke --tenant <id> --prefix <prefix>
      Revokes a secret key: requests with it get 401, tokens signed with it stop working.
  webhook:secret --tenant <id>
      Prints the tenant's webhook signing secret {secret, previous} (previous: the old one,
      while it still signs after a rotation).
  webhook:rotate --tenant <id> [--grace-minutes <n>]
      A new signing secret; the old one keeps signing for n minutes (default 1440, 0: stops now).
  user:create --email <email> [--operator]
      Makes a dashboard account (--operator: every tenant, may create tenants). The password
      is read from PARLEY_PASSWORD, else asked for (not echoed), else read from stdin's first
      line; never from the command line, where it would be kept in shell history and ps.

Environment:
  PARLEY_URL          the server (default http://localhost:8787)
  PARLEY_ADMIN_TOKEN  the admin token (default: the file $DATA_DIR/admin-token, DATA_DIR=./data)
  PARLEY_PASSWORD     the password for user:create
`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  origin: { type: 'string', multiple: true },
  guests: { type: 'boolean' },
  'no-guests': { type: 'boolean' },
  tenant: { type: 'string' },
  prefix: { type: 'string' },
  'max-text-length': { type: 'string' },
  'messages-per-second': { type: 'string' },
  burst: { type: 'string' },
  'retention-days': { type: 'string' },
  'grace-minutes': { type: 'string' },
  disable: { type: 'boolean' },
  enable: { type: 'boolean' },
  email: { type: 'string' },
  operator: { type: 'boolean' },
} as const;

const parse = (args: string[]) => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
type Values = ReturnType<typeof parse>['values'];

/** A failure to report in one line; exit code 2 is a usage mistake, 1 anything else. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const usage = (message: string) => new CliError(`${message}\nRun with --help for usage.`, 2);

interface Config {
  url: string;
  token(): string;
  password(): Promise<string>;
}

/** A password typed at a terminal without echo, or the first line of piped stdin. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let all = '';
    for await (const chunk of stdin) {
      all += chunk;
      if (all.includes('\n')) break;
    }
    return all.split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write('Password: ');
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  let typed = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of chunk as string) {
        if (ch === '\r' || ch === '\n') return typed;
        if (ch === '\u0003') throw new CliError('cancelled');
        if (ch === '\u007f') typed = typed.slice(0, -1);
        else typed += ch;
      }
    }
    return typed;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

function config(env: NodeJS.ProcessEnv): Config {
  return {
    url: (env.PARLEY_URL || 'http://localhost:8787').replace(/\/+$/, ''),
    // Read only when a request is made, so --help and usage errors need no token.
    token() {
      if (env.PARLEY_ADMIN_TOKEN) return env.PARLEY_ADMIN_TOKEN.trim();
      const file = join(env.DATA_DIR || './data', 'admin-token');
      let token = '';
      try {
        token = readFileSync(file, 'utf8').trim();
      } catch {
        // Missing or unreadable: reported below with what to do.
      }
      if (!token) throw new CliError(`no admin token: set PARLEY_ADMIN_TOKEN, or DATA_DIR to the server's data folder (no token in ${file})`);
      return token;
    },
    password: async () => env.PARLEY_PASSWORD ?? (await readPassword()),
  };
}

/** One Admin API request; resolves with the JSON answer (null for 204) or throws a CliError. */
async function call(cfg: Config, method: string, path: string, body?: object): Promise<unknown> {
  const url = `${cfg.url}/admin/api${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${cfg.token()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    if (err instanceof CliError) throw err;
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? 'no answer in 15 s' : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new CliError(`cannot reach the Parley server at ${cfg.url} (${why}); is it running? PARLEY_URL says where it is`);
  }
  if (res.status === 401)
    throw new CliError(`the server refused the admin token (401); set PARLEY_ADMIN_TOKEN to the token the server at ${cfg.url} uses`);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new CliError(`${method} ${url} answered ${res.status} with something other than JSON; is PARLEY_URL a Parley server?`);
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new CliError(`${res.status} ${e?.code ?? 'error'}: ${e?.message ?? (text || res.statusText)}`);
  }
  return json;
}

function required(v: Values, name: 'name' | 'tenant' | 'prefix' | 'email'): string {
  const s = v[name];
  if (!s) throw usage(`--${name} is required`);
  return s;
}

function int(v: Values, name: 'max-text-length' | 'burst' | 'retention-days' | 'grace-minutes'): number | undefined {
  const s = v[name];
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) throw usage(`--${name} must be a whole number`);
  return Number(s);
}

function rate(v: Values): number | undefined {
  const s = v['messages-per-second'];
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!s.trim() || !Number.isFinite(n) || n <= 0) throw usage('--messages-per-second must be a number above 0');
  return n;
}

function pick(a: boolean | undefined, b: boolean | undefined, both: string): boolean | undefined {
  if (a && b) throw usage(both);
  return a ? true : b ? false : undefined;
}

const tenantPath = (v: Values) => `/tenants/${encodeURIComponent(required(v, 'tenant'))}`;

interface Command {
  options: (keyof typeof OPTIONS)[];
  run(v: Values, cfg: Config): Promise<unknown>;
}

const COMMANDS: Record<string, Command> = {
  'tenant:create': {
    options: ['name', 'origin', 'guests'],
    run: (v, cfg) => call(cfg, 'POST', '/tenants', { name: required(v, 'name'), origins: v.origin ?? [], guests: v.guests === true }),
  },
  'tenant:list': {
    options: [],
    run: (_v, cfg) => call(cfg, 'GET', '/tenants'),
  },
  'tenant:update': {
    options: ['tenant', 'name', 'origin', 'guests', 'no-guests', 'max-text-length', 'messages-per-second', 'burst', 'retention-days', 'disable', 'enable'],
    run(v, cfg) {
      const path = tenantPath(v);
      const settings = Object.fromEntries(
        Object.entries({
          maxTextLength: int(v, 'max-text-length'),
          messagesPerSecond: rate(v),
          burst: int(v, 'burst'),
          retentionDays: int(v, 'retention-days'),
        }).filter(([, n]) => n !== undefined),
      );
      const patch = {
        ...(v.name !== undefined ? { name: v.name } : {}),
        ...(v.origin ? { origins: v.origin } : {}),
        ...(Object.keys(settings).length ? { settings } : {}),
        guests: pick(v.guests, v['no-guests'], 'give --guests or --no-guests, not both'),
        disabled: pick(v.disable, v.enable, 'give --disable or --enable, not both'),
      };
      if (Object.values(patch).every((x) => x === undefined)) throw usage('tenant:update needs something to change');
      return call(cfg, 'PATCH', path, patch);
    },
  },
  'key:create': {
    options: ['tenant'],
    run: (v, cfg) => call(cfg, 'POST', `${tenantPath(v)}/secret-keys`),
  },
  'key:revoke': {
    options: ['tenant', 'prefix'],
    async run(v, cfg) {
      const tenantId = required(v, 'tenant');
      const prefix = required(v, 'prefix');
      await call(cfg, 'DELETE', `${tenantPath(v)}/secret-keys/${encodeURIComponent(prefix)}`);
      return { tenantId, prefix, revoked: true };
    },
  },
  'webhook:secret': {
    options: ['tenant'],
    run: (v, cfg) => call(cfg, 'GET', `${tenantPath(v)}/webhook-secret`),
  },
  'webhook:rotate': {
    options: ['tenant', 'grace-minutes'],
    run(v, cfg) {
      const grace = int(v, 'grace-minutes');
      return call(cfg, 'POST', `${tenantPath(v)}/webhook-secret/rotate`, grace === undefined ? {} : { graceMinutes: grace });
    },
  },
  'user:create': {
    options: ['email', 'operator'],
    async run(v, cfg) {
      const email = required(v, 'email');
      const password = await cfg.password();
      if (!password) throw usage('a password is required: set PARLEY_PASSWORD or type it when asked');
      return call(cfg, 'POST', '/accounts', { email, password, operator: v.operator === true });
    },
  },
};

/** Runs one command line; resolves with what to print, or throws a CliError. */
async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    const e = err as Error & { code?: string };
    // Node's own message for an unknown option is long and about positionals; name the option.
    const unknown = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'([^']+)'/.exec(e.message)?.[1];
    throw usage(unknown ? `unknown option ${unknown}` : e.message);
  }
  const v = parsed.values;
  const [name, ...extra] = parsed.positionals;
  if (v.help) return USAGE;
  if (!name) throw usage(`a command is required: ${Object.keys(COMMANDS).join(', ')}`);
  const cmd = COMMANDS[name];
  if (!cmd) throw usage(`unknown command ${name}; the commands are ${Object.keys(COMMANDS).join(', ')}`);
  if (extra.length) throw usage(`unexpected argument ${extra[0]}`);
  for (const k of Object.keys(v)) if (!cmd.options.includes(k as keyof typeof OPTIONS)) throw usage(`${name} takes no --${k}`);
  // One JSON line, so scripts can read it (`| jq` to read it as a person).
  return JSON.stringify(await cmd.run(v, config(env)));
}

run(process.argv.slice(2), process.env).then(
  (out) => process.stdout.write(out.endsWith('\n') ? out : `${out}\n`),
  (err) => {
    const e = err instanceof CliError ? err : new CliError(`failed: ${(err as Error)?.stack ?? String(err)}`);
    process.stderr.write(`admin: ${e.message}\n`);
    // exitCode, not exit(): let stderr drain before the process ends.
    process.exitCode = e.exitCode;
  },
);
