import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticRoutes } from '../../api/routes/static';
import { WS_PATH } from '../../api/ws/gateway';
import { startTestServer, type TestServer } from '../helpers/server';
import { http } from './http';

type Schema = { minimum?: number; maximum?: number; type?: string };
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = { parameters?: Parameter[]; responses: Record<string, { description?: string }>; security?: Record<string, unknown>[] };
type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas?: Record<string, unknown> };
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

describe('the OpenAPI document', () => {
  let s: TestServer;
  let doc: Doc;
  beforeAll(async () => {
    s = await startTestServer({ backend: 'pglite' });
    const r = await http(`${s.url}/v1/openapi.json`);
    expect(r.status).toBe(200);
    doc = r.body;
  });
  afterAll(() => s?.stop());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).filter(([m]) => METHODS.includes(m)).map(([method, op]) => ({ path, method, op })));
  /** A request to the server for a documented path, with the caller its security names. */
  const call = (path: string, method: string, op: Operation, params: Record<string, string>, query = '') => {
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? `x-${name}`));
    const bearer = op.security?.some((x) => 'adminToken' in x) ? s.adminToken : s.demo.secretKey;
    return http(`${s.url}${url}${query}`, { method: method.toUpperCase(), bearer });
  };

  it('is OpenAPI 3.1: responses everywhere, every path parameter declared, every security scheme and $ref defined', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Parley', version: expect.any(String) });
    const ops = operations();
    expect(ops.length).toBeGreaterThan(0);
    for (const { path, method, op } of ops) {
      const where = `${method} ${path}`;
      expect(path, where).toMatch(/^\//);
      expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
      for (const [status, res] of Object.entries(op.responses)) {
        expect(status, where).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        expect(res.description, `${where} ${status}`).toEqual(expect.any(String));
      }
      expect(op.security, `${where} says who may call it`).toBeInstanceOf(Array);
      for (const sec of op.security ?? []) for (const name of Object.keys(sec)) expect(doc.components.securitySchemes, where).toHaveProperty(name);
      const inPath = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(inPath.map((p) => p.name).sort(), where).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
      for (const p of inPath) expect(p.required, `${where} {${p.name}}`).toBe(true);
      for (const p of op.parameters ?? []) expect(['path', 'query', 'header', 'cookie'], where).toContain(p.in);
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(\w+)\/([^"]+)"/g)];
    for (const [, kind, name] of refs) expect((doc.components as Record<string, Record<string, unknown>>)[kind!], `$ref ${kind}/${name}`).toHaveProperty(name!);
  });

  it('describes exactly the routes the server registers (but pages, bundles and the socket)', () => {
    const pages = new Set(staticRoutes({ demoPage: () => '', dashboardPage: () => '' }).routes.map((r) => r.path));
    const served = new Set(
      s.server.routes
        // ALL: middleware and the catch-all 404s, which no client calls on purpose.
        .filter((r) => r.method !== 'ALL' && !pages.has(r.path) && r.path !== WS_PATH)
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`));
    expect([...served].sort()).toEqual([...documented].sort());
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
      for (const q of (op.parameters ?? []).filter((p) => p.in === 'query' && p.schema?.type === 'integer')) {
        for (const v of ['x', String(q.schema!.maximum! + 1)]) {
          const bad = await call(path, method, op, { id: s.demo.tenantId, user: 'someone' }, `?${q.name}=${v}`);
          expect(bad, `${where} ?${q.name}=${v}`).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
        }
      }
    }
  });
});
