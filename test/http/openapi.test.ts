import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';
import { http } from './http';

type Operation = { parameters?: { name: string; in: string; schema?: { maximum?: number } }[]; responses: Record<string, unknown>; security?: Record<string, unknown>[] };

describe('the OpenAPI document', () => {
  let s: TestServer;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
  beforeAll(async () => {
    s = await startTestServer({ backend: 'pglite' });
    const r = await http(`${s.url}/v1/openapi.json`);
    expect(r.status).toBe(200);
    doc = r.body;
  });
  afterAll(() => s?.stop());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  /** A request to the server for a documented path, with the caller its security names. */
  const call = (path: string, method: string, op: Operation, params: Record<string, string>, query = '') => {
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? `x-${name}`));
    const bearer = op.security?.some((x) => 'admin' in x) ? s.adminToken : s.demo.secretKey;
    return http(`${s.url}${url}${query}`, { method: method.toUpperCase(), bearer });
  };

  it('is OpenAPI 3.1 with a response and a security scheme it defines for every operation, and every path parameter declared', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = operations();
    expect(ops.length).toBeGreaterThan(0);
    for (const { path, method, op } of ops) {
      const where = `${method} ${path}`;
      expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
      for (const sec of op.security ?? []) for (const name of Object.keys(sec)) expect(doc.components.securitySchemes, where).toHaveProperty(name);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      expect(declared, where).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
    }
  });

  it('names only routes the server has, answering with a status the document lists; bad parameters get bad_request', async () => {
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      const r = await call(path, method, op, { id: s.demo.tenantId, user: 'someone' });
      // A route the server lacks would answer the catch-all 404 (no such route), which no
      // operation documents with that message.
      expect(Object.keys(op.responses), `${where} answered ${r.status} ${JSON.stringify(r.body)}`).toContain(String(r.status));
      expect(JSON.stringify(r.body ?? ''), where).not.toMatch(/no such (admin )?route|404 Not Found/);
      // Every path parameter named user, and every bounded query integer, is checked.
      if (path.includes('{user}')) {
        const bad = await call(path, method, op, { id: s.demo.tenantId, user: 'u'.repeat(129) });
        expect(bad, where).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
      }
      for (const q of (op.parameters ?? []).filter((p) => p.in === 'query' && p.schema?.maximum !== undefined)) {
        const bad = await call(path, method, op, { id: s.demo.tenantId, user: 'someone' }, `?${q.name}=0`);
        expect(bad, `${where} ?${q.name}=0`).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
      }
    }
  });
});
