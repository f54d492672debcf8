import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickEncoding } from '../../api/routes/static';
import { startTestServer, type TestServer } from '../helpers/server';

const file = fileURLToPath(new URL('../../widget/dist/widget.js', import.meta.url));

/** A GET that keeps the bytes as sent (fetch would decompress them). */
function raw(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('serving the widget', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('sends the precompressed brotli or gzip file the client accepts, with an ETag of its own', async () => {
    const js = readFileSync(file);
    const br = await raw(`${server.url}/widget.js`, { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await raw(`${server.url}/widget.js`, { 'accept-encoding': 'gzip' });
    const plain = await raw(`${server.url}/widget.js`);
    expect([br.headers['content-encoding'], gz.headers['content-encoding'], plain.headers['content-encoding']]).toEqual(['br', 'gzip', undefined]);
    expect(brotliDecompressSync(br.body).equals(js)).toBe(true);
    expect(gunzipSync(gz.body).equals(js)).toBe(true);
    expect(plain.body.equals(js)).toBe(true);
    // The bytes made at build time, not compressed again per request.
    expect(gz.body.equals(readFileSync(`${file}.gz`))).toBe(true);
    expect(br.body.equals(readFileSync(`${file}.br`))).toBe(true);
    expect(gz.body.length).toBeLessThan(js.length / 2);
    for (const r of [br, gz, plain]) {
      expect(r.headers.vary).toBe('Accept-Encoding');
      expect(r.headers['cache-control']).toBe('public, max-age=300, must-revalidate');
      expect(r.headers['access-control-allow-origin']).toBe('*');
    }
    expect(new Set([br, gz, plain].map((r) => r.headers.etag)).size).toBe(3);
    const again = await raw(`${server.url}/widget.js`, { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers.etag) });
    expect([again.status, again.body.length, again.headers.etag]).toEqual([304, 0, gz.headers.etag]);
    // An ETag held for another encoding is not this representation.
    expect((await raw(`${server.url}/widget.js`, { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers.etag) })).status).toBe(200);
  });

  it('names a versioned URL, cached for good, with its integrity', async () => {
    const js = readFileSync(file);
    const m = (await (await fetch(`${server.url}/widget.json`)).json()) as Record<string, unknown>;
    const hash = createHash('sha256').update(js).digest('hex').slice(0, 16);
    expect(m).toEqual({
      version: hash,
      src: `/widget.${hash}.js`,
      integrity: `sha384-${createHash('sha384').update(js).digest('base64')}`,
      bytes: js.length,
      gzip: readFileSync(`${file}.gz`).length,
      brotli: readFileSync(`${file}.br`).length,
    });
    const v = await raw(`${server.url}${m.src}`, { 'accept-encoding': 'br' });
    expect([v.status, v.headers['cache-control'], v.headers['content-encoding']]).toEqual([200, 'public, max-age=31536000, immutable', 'br']);
    expect((await raw(`${server.url}/widget.0123456789abcdef.js`)).status).toBe(404);
    // The demo page loads the versioned file.
    expect(await (await fetch(`${server.url}/`)).text()).toContain(`src="/widget.${hash}.js"`);
  });

  it('serves the language packs, and nothing else from that path', async () => {
    const de = await fetch(`${server.url}/widget/locales/de.json`);
    expect([de.status, de.headers.get('access-control-allow-origin')]).toEqual([200, '*']);
    expect(((await de.json()) as Record<string, string>).send).toBe('Senden');
    for (const p of ['/widget/locales/xx.json', '/widget/locales/..%2Fpackage.json', '/widget/locales/de.JSON', '/widget/locales/deu.json'])
      expect((await fetch(`${server.url}${p}`)).status, p).toBe(404);
  });
});

describe('pickEncoding', () => {
  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(pickEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(pickEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0')).toBe('identity');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('*;q=0, gzip')).toBe('gzip');
    expect(pickEncoding(undefined)).toBe('identity');
    expect(pickEncoding('identity')).toBe('identity');
  });
});
