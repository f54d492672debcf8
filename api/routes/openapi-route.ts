import type { Hook, OpenAPIHono, RouteConfig, RouteHandler, z } from '@hono/zod-openapi';
import type { Context, Env } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ChatError } from '../chat/errors';

// How a route file defines a route: one config (createRoute) both routes the request, checks it
// with its zod schemas and describes it in the OpenAPI document (openapi.ts), so the document
// cannot say what the server does not check.

export const bad = (message: string) => new ChatError('bad_request', message);

/** Validation failures answer `bad_request` with the first problem, never zod's own 400 body. */
export const badRequestHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) throw bad(result.error.issues[0]?.message ?? 'request is malformed');
};

/**
 * The JSON body, whatever the Content-Type says: `curl -d` sends a form's type, and a body
 * without a type once made a ban without end when it was read as none (bans.test.ts). Hono's
 * json validator reads only `application/json` bodies, so bodies are read here. An absent body
 * is `{}` where the body is optional.
 */
async function readBody(c: Context, required: boolean): Promise<unknown> {
  const raw = await c.req.text();
  if (!raw.trim() && !required) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw bad('body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body must be a JSON object');
  return body;
}

/** The request a handler of `R` sees: its validated params, query and body, typed. */
export type RouteContext<R extends RouteConfig, E extends Env> = Parameters<RouteHandler<R, E>>[0];

/**
 * Routes `route` on `app` and registers it in the app's OpenAPI registry. Params and query are
 * checked by @hono/zod-openapi's validators; a JSON body by its schema here, after them (the
 * order the hand-written checks had), read as `readBody` says.
 */
export function openapiRoute<R extends RouteConfig, E extends Env>(
  app: OpenAPIHono<E>,
  route: R,
  handler: (c: RouteContext<R, E>) => Response | Promise<Response>,
) {
  const body = route.request?.body;
  const schema = (body?.content['application/json'] as { schema?: z.ZodType } | undefined)?.schema;
  if (!body || !schema) {
    app.openapi(route, handler as never, badRequestHook);
    return;
  }
  const { middleware: _, ...described } = route;
  app.openAPIRegistry.registerPath(described);
  const { body: __, ...request } = route.request!;
  const checked = async (c: Context) => {
    const parsed = schema.safeParse(await readBody(c, body.required === true));
    if (!parsed.success) throw bad(parsed.error.issues[0]?.message ?? 'body is malformed');
    c.req.addValidatedData('json', parsed.data as object);
    return handler(c as never);
  };
  app.openapi({ ...route, request, hide: true }, checked as never, badRequestHook);
}

/** Refuses a body over `bytes` with `too_large` before buffering it. */
export const limitBody = (bytes: number) =>
  bodyLimit({
    maxSize: bytes,
    onError: (c) => {
      // The rest of the body is not read, so this connection cannot carry another request.
      c.header('Connection', 'close');
      throw new ChatError('too_large', `the body is larger than ${bytes / 1024} KiB`);
    },
  });
