import { z, type RouteConfig } from '@hono/zod-openapi';
import { ERROR_CODES, HTTP_STATUS, MESSAGE_ID_RE, ROOM_RE, textProblem, type ErrorCode } from '../protocol';

// Schemas shared by the route files. A field's messages are the API's own words (`user is
// required`, `user is malformed`), as the hand-written checks said them, so a client that shows
// `error.message` shows the same text; zod's default messages never reach a caller.

/** Messages of one field: `<field> is required` when absent or null, else `malformed`. */
export const says = (field: string, malformed = `${field} is malformed`) => ({
  error: (i: { input: unknown }) => (i.input == null ? `${field} is required` : malformed),
});

/** Refuses what `textProblem` refuses (NUL, lone surrogates, C0 controls), naming the field. */
const clean = (field: string) => (v: string, ctx: z.RefinementCtx) => {
  const problem = textProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `${field} ${problem}` });
};

/** A non-empty string of clean text, at most `max` UTF-16 units, matching `re` when given. */
export function text(field: string, max: number, re?: RegExp) {
  let s = z.string(says(field)).min(1).max(max);
  if (re) s = s.regex(re);
  return s.superRefine(clean(field));
}

/** Clean text of any length (the length bound lives elsewhere, e.g. the tenant's maxTextLength). */
export const anyText = (field: string) => z.string(says(field)).superRefine(clean(field));

/**
 * A field checked by a rule of the domain (accounts.ts `email`, `password`), which returns the
 * value as kept or throws with its message (describe it with `.openapi`).
 */
export const byRule = <T>(rule: (v: unknown) => T) =>
  z
    .unknown()
    .transform((v, ctx) => {
      try {
        return rule(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    });

/** An integer in a query string or path: digits only, from `min` to `max`. */
export function intString(field: string, min: number, max: number) {
  const m = says(field, `${field} must be an integer from ${min} to ${max}`);
  return z
    .string(m)
    .regex(/^\d+$/, m)
    .transform(Number)
    .pipe(z.number(m).min(min, m).max(max, m))
    .openapi({ type: 'integer', minimum: min, maximum: max });
}

/** An integer in a JSON body, from `min` to `max`. */
export const int = (field: string, min: number, max: number, message = `${field} must be an integer from ${min} to ${max}`) =>
  z.number(says(field, message)).int().min(min).max(max);

export const bool = (field: string) => z.boolean(says(field, `${field} must be a boolean`));

/** A room name as the protocol allows it (path parameter). */
export const room = z.string(says('room')).regex(ROOM_RE).openapi({ example: 'lobby' });
/** A user id in a path: 1 to 128 characters of clean text. */
export const user = text('user', 128).openapi({ example: 'u_42' });
export const messageId = (field: string) => z.string(says(field)).regex(MESSAGE_ID_RE);
/** A tenant in the Admin API's paths (an unknown one answers 404). */
export const tenantId = z.string().openapi({ example: 't_demo' });

const ErrorBody = z
  .object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }) })
  .openapi('Error', { description: 'Every HTTP error: a stable code and a message for people (PROTOCOL.md, "Errors")' });

type Why = Partial<Record<ErrorCode, string>>;

/** Error answers of a route, by code, each saying when; a code named twice joins its reasons. */
export function errors(...whys: Why[]) {
  const joined = new Map<ErrorCode, string[]>();
  for (const why of whys) for (const [code, d] of Object.entries(why) as [ErrorCode, string][]) joined.set(code, [...(joined.get(code) ?? []), d]);
  return Object.fromEntries(
    [...joined].map(([code, ds]) => [HTTP_STATUS[code], { description: `${code}: ${ds.join('; ')}`, content: { 'application/json': { schema: ErrorBody } } }]),
  );
}

/** A JSON answer. */
export const json = (description: string, schema: z.ZodType = z.object({}).catchall(z.unknown())) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A JSON request body; `required: false` takes an empty body as `{}`. */
export const body = <T extends z.ZodType>(schema: T, required = true) => ({ content: { 'application/json': { schema } }, required });

/** Who may call: `security` of an operation (openapi.ts defines the schemes). */
export const SECURITY: Record<'public' | 'secretKey' | 'admin' | 'metrics', Record<string, string[]>[]> = {
  public: [],
  secretKey: [{ secretKey: [] }],
  admin: [{ adminToken: [] }, { session: [] }],
  metrics: [{ metricsToken: [] }],
};

/**
 * Where a route file is mounted, as the document says it: a file mounted both under /v1 (the
 * secret key names the tenant) and under /admin/api/tenants/{id} (the path does) describes its
 * routes once per mount, each with the errors its mount adds.
 */
export interface Mount {
  tags: string[];
  security: Record<string, string[]>[];
  /** Errors every route of the mount may answer. */
  errors: Why;
  /** Errors of a request that may change something (any method but GET). */
  writes: Why;
  /** Errors of a request that may carry a body (POST, PUT, PATCH): the body limit. */
  bodies: Why;
  /** The mount's path holds the tenant, `{id}`. */
  tenantInPath: boolean;
}
const admin = {
  tags: ['Admin API'],
  security: SECURITY.admin,
  writes: { forbidden: 'a change sent with the session cookie from another site' },
  bodies: { too_large: 'a body over 64 KiB' },
};
const adminErrors: Why = { unauthorized: 'neither a valid admin token nor a session', rate_limited: 'too many wrong admin tokens from this address (Retry-After)' };
export const V1_MOUNT: Mount = {
  tags: ['HTTP API'],
  security: SECURITY.secretKey,
  errors: { unauthorized: 'no valid secret key' },
  writes: {},
  bodies: { too_large: 'a body over 256 KiB' },
  tenantInPath: false,
};
/** The Admin API's routes that are not of one tenant. */
export const ADMIN_MOUNT: Mount = { ...admin, errors: adminErrors, tenantInPath: false };
/** The Admin API's routes of one tenant, `/admin/api/tenants/{id}/…` (access.ts `need`). */
export const TENANT_MOUNT: Mount = { ...admin, errors: { ...adminErrors, not_found: 'no such tenant, or no role in it' }, tenantInPath: true };
/** The `why` of a route open to some roles only: the others get 403. */
export const ROLE_LIMITED: Why = { forbidden: "the caller's role may not do this" };

/** `route` as `mount` describes it, with its own errors `why` and the mount's. */
export function mounted<R extends RouteConfig>(mount: Mount, route: R, why: Why): R {
  const params = route.request?.params as z.ZodObject | undefined;
  const withTenant = mount.tenantInPath ? { params: params ? params.extend({ id: tenantId }) : z.object({ id: tenantId }) } : {};
  const writes = route.method === 'get' ? {} : mount.writes;
  const bodies = ['post', 'put', 'patch'].includes(route.method) ? mount.bodies : {};
  return {
    ...route,
    tags: mount.tags,
    security: mount.security,
    request: { ...route.request, ...withTenant },
    responses: { ...route.responses, ...errors(why, mount.errors, writes, bodies) },
  };
}
