import { expect } from 'vitest';
import { connect, type TestClient } from '../helpers/client';
import type { TestServer } from '../helpers/server';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body; null for an empty body, the raw text when it is not JSON. */
  body: any;
}

/** One HTTP request with an optional bearer token and JSON (or raw string) body. */
export async function http(
  url: string,
  opts: { method?: string; bearer?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const raw = typeof opts.body === 'string';
  const res = await fetch(url, {
    method: opts.method ?? 'GET',
    headers: {
      ...(opts.bearer !== undefined ? { authorization: `Bearer ${opts.bearer}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : raw ? (opts.body as string) : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: any = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, headers: res.headers, body };
}

/** The shape every HTTP error body has (PROTOCOL.md), for `toEqual` and `toMatchObject`. */
export const errorBody = (code: string) => ({ error: { code, message: expect.any(String) } });

/**
 * Retries `check` until it stops throwing (the tenant cache may hold keys up to 2 s), then
 * returns its value; after `timeoutMs` the last failure is thrown.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Says `hello` with a token and resolves with how the server answered: a welcome or a close. */
export async function helloOutcome(
  wsUrl: string,
  publishableKey: string,
  hello: { token?: string; name?: string },
): Promise<{ welcome?: Record<string, any>; close?: number; error?: Record<string, any> }> {
  const c: TestClient = await connect(wsUrl, publishableKey);
  const answer = c.request({ type: 'hello', ...hello }).catch(() => null);
  const first = await Promise.race([answer, c.closed.then(() => null)]);
  if (first?.type === 'welcome') {
    c.close();
    return { welcome: first };
  }
  const { code } = await c.closed;
  return { close: code, error: c.frames.find((f) => f.type === 'error') };
}

type Opts = Parameters<typeof http>[1];

/**
 * Calls against one test server (a getter, since beforeAll assigns it): the Admin API with the
 * admin token, the HTTP API with a given secret key, and the steps most admin tests take.
 */
export function calls(server: () => TestServer) {
  const admin = (path: string, opts: Opts = {}) => http(`${server().url}/admin/api${path}`, { bearer: server().adminToken, ...opts });
  return {
    admin,
    v1: (secretKey: string, path: string, opts: Opts = {}) => http(`${server().url}/v1${path}`, { bearer: secretKey, ...opts }),
    /** Makes a tenant (any origin, no guests unless asked) and returns its keys. */
    async create(body: object = { name: 'acme', origins: ['*'] }) {
      const r = await admin('/tenants', { method: 'POST', body });
      expect(r.status).toBe(201);
      return r.body as { tenantId: string; publishableKey: string; secretKey: string };
    },
    /** The tenant as GET /admin/api/tenants lists it. */
    async listed(tenantId: string) {
      const r = await admin('/tenants');
      expect(r.status).toBe(200);
      return r.body.find((t: any) => t.tenantId === tenantId);
    },
  };
}
