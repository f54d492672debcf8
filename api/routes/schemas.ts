import type { Hook } from '@hono/zod-openapi';
import { bad } from './params';

// Shared by the route files that describe themselves in OpenAPI (openapi.ts). Their schemas'
// messages are the API's own words, so converting a route file changes its document, not its
// answers.

/** Validation failures answer `bad_request` with the first problem, like every other check. */
export const badRequestHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) throw bad(result.error.issues[0]?.message ?? 'request is malformed');
};
